// `npm run schema`: writes amp-xa.schema.json, which the example configs reference with "$schema".
import { writeFileSync } from 'fs';
import * as path from 'path';
import { asksForHelp } from '../lib/cli-options';
import { fleetConfigJsonSchema } from '../lib/config/json-schema';

const USAGE = `usage: npm run schema
  Writes amp-xa.schema.json, the JSON Schema of the fleet config (editors autocomplete and check with it).`;

const argv = process.argv.slice(2);
if (asksForHelp(argv)) {
  process.stdout.write(`${USAGE}\n`);
} else if (argv.length) {
  console.error(`schema: unexpected argument ${JSON.stringify(argv[0])}\n${USAGE}`);
  process.exitCode = 2;
} else {
  const target = path.join(__dirname, '..', 'amp-xa.schema.json');
  writeFileSync(target, `${JSON.stringify(fleetConfigJsonSchema(), null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}
