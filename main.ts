// Wiring only: load and validate the fleet config, build its stacks, synthesize.
import { App } from 'cdktf';
import { loadFleetConfig } from './lib/config/load';
import { ConfigError, quotaWarnings } from './lib/config/fleet';
import { buildFleet } from './lib/fleet-app';

function main(): void {
  let fleet;
  try {
    fleet = loadFleetConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // Exit before App.synth(): an invalid config writes nothing to the output directory.
    console.error(e.message);
    process.exit(1);
  }
  for (const warning of quotaWarnings(fleet)) console.error(`amp-xa warning: ${warning}`);
  const app = new App();
  buildFleet(app, fleet);
  app.synth();
}

main();
