// `npm run schema`: writes amp-xa.schema.json, which the example configs reference with "$schema".
import { writeFileSync } from 'fs';
import * as path from 'path';
import { fleetConfigJsonSchema } from '../lib/config/json-schema';

const target = path.join(__dirname, '..', 'amp-xa.schema.json');
writeFileSync(target, `${JSON.stringify(fleetConfigJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), target)}`);
