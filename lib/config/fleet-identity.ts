/**
 * A fleet's identity and where its state lives. Two fleet configs in one checkout (or one bucket, or one HCP
 * Terraform organization) may use the same account, unit and workspace names, so stack names alone cannot keep
 * their states apart: every state location is made of the fleet name too, and a local state directory is
 * relative to the config file (like scrapeConfigFile), not to wherever the command runs.
 *
 * The fleet name is the config's `fleet` field, else the config file's name without its extension
 * (`fleets/prod.json` is fleet `prod`). Two configs with the same fleet name are the same fleet.
 */
import * as path from 'path';
import type { BackendConfig } from './schema';

const FLEET_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

/** The fleet of a config that names none: its file's name, when that is a valid fleet name. */
export const IN_MEMORY_FLEET = 'fleet';

export function defaultFleetName(configFile: string): string | undefined {
  const base = path.basename(configFile).replace(/\.json$/i, '');
  return FLEET_NAME.test(base) ? base : undefined;
}

export function defaultFleetProblem(configFile: string): string {
  return `fleet: the config file name ${JSON.stringify(path.basename(configFile))} is not a fleet name (2-32 chars of a-z, 0-9 and -, starting with a letter), and the config sets no "fleet"; add "fleet": "<name>" (it names this fleet's state: keep it once deployed)`;
}

/**
 * The backend with this fleet's state locations: local `<config dir>/<directory>/<fleet>/`, given relative to
 * the working directory (cdktf, status and plan-all all run in the project directory) unless configured
 * absolute; S3 `<keyPrefix>/<fleet>/`; HCP Terraform workspaces `<workspacePrefix><fleet>-<stack>`.
 */
export function fleetBackend(backend: BackendConfig, fleet: string, baseDir: string, cwd = process.cwd()): BackendConfig {
  switch (backend.type) {
    case 'local': {
      const directory = path.isAbsolute(backend.directory)
        ? path.join(backend.directory, fleet)
        : path.relative(cwd, path.resolve(baseDir, backend.directory, fleet)) || '.';
      return { ...backend, directory };
    }
    case 's3':
      return { ...backend, keyPrefix: `${backend.keyPrefix.replace(/\/+$/, '')}/${fleet}` };
    case 'cloud':
      return { ...backend, workspacePrefix: `${backend.workspacePrefix}${fleet}-` };
  }
}
