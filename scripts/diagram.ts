// `npm run diagram`: writes <outdir>/fleet.mmd (outdir: CDKTF_OUTDIR or cdktf.out) for the configured fleet.
import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { loadFleetConfig } from '../lib/config/load';
import { ConfigError } from '../lib/config/fleet';
import { fleetDiagram } from '../lib/diagram';

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
  process.exit(1);
}
