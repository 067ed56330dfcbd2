// `npm run diagram`: writes <outdir>/fleet.mmd (outdir: CDKTF_OUTDIR or cdktf.out) for the configured fleet.
import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { asksForHelp } from '../lib/cli-options';
import { loadFleetConfig } from '../lib/config/load';
import { ConfigError } from '../lib/config/fleet';
import { fleetDiagram } from '../lib/diagram';

const USAGE = `usage: npm run diagram
  Writes <outdir>/fleet.mmd (CDKTF_OUTDIR, else cdktf.out): a Mermaid diagram of the fleet config (AMP_XA_CONFIG).`;

const argv = process.argv.slice(2);
if (asksForHelp(argv)) {
  process.stdout.write(`${USAGE}\n`);
} else if (argv.length) {
  console.error(`diagram: unexpected argument ${JSON.stringify(argv[0])}\n${USAGE}`);
  process.exitCode = 2;
} else {
  try {
    const fleet = loadFleetConfig();
    const outdir = process.env.CDKTF_OUTDIR || 'cdktf.out';
    mkdirSync(outdir, { recursive: true });
    const file = path.join(outdir, 'fleet.mmd');
    writeFileSync(file, fleetDiagram(fleet));
    console.log(`wrote ${file}`);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    process.exitCode = 1;
  }
}
