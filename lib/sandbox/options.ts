/** `npm run sandbox` command line: its modes and options, parsed without side effects. */
import { UsageError } from '../cli-options';

export const DEFAULT_SANDBOX_CONFIG = 'examples/fleet.json';
export const DEFAULT_SANDBOX_DIR = '.sandbox';

export const SANDBOX_USAGE = `usage: npm run sandbox [-- [--config FILE] [--dir DIR] [--background | --stop | command...]]
  Local AWS for amp-xa, no account needed: moto_server and the AMP scraper emulator on 127.0.0.1, with what the
  fleet config references created in moto: each account's deployer role, per cluster a VPC (DNS support and
  hostnames), two subnets in two zones, a security group and the EKS cluster (private endpoint), and each
  workspace named by ARN. Writes into DIR: fleet.json (the config with those IDs and a local backend in
  DIR/state), aws-config (a profile per account assuming its deployer role), the offline Terraform CLI config
  when a provider mirror is found, and env (the variables to use).
  (nothing)        foreground: print the environment, run until Ctrl-C, then stop everything
  --background     start in the background and return once it is ready; then: . DIR/env
  --stop           stop the sandbox running in DIR (moto, the emulator) and remove DIR
  command...       run the command in the sandbox's environment: the running sandbox's, else a new one,
                   stopped when the command ends; exit with the command's code
  --config FILE    the fleet config to set up (default ${DEFAULT_SANDBOX_CONFIG})
  --dir DIR        the sandbox's directory (default ${DEFAULT_SANDBOX_DIR})
  Needs moto_server (Python: pip install 'moto[server]') on PATH; says what to install when it is missing.`;

export type SandboxMode = 'help' | 'foreground' | 'background' | 'stop' | 'run';

export interface SandboxOptions {
  readonly mode: SandboxMode;
  /** The fleet config to provision; undefined: the default (the running sandbox's, for `run`). */
  readonly config?: string;
  readonly dir: string;
  /** The command of mode `run`. */
  readonly command: string[];
}

/** Options come first; the first word that is not one starts the command (its own options are its own). */
export function parseSandboxArgs(argv: string[]): SandboxOptions {
  let config: string | undefined;
  let dir = DEFAULT_SANDBOX_DIR;
  let mode: SandboxMode | undefined;
  let i = 0;
  const value = (flag: string) => {
    const v = argv[++i];
    if (v === undefined || v === '') throw new UsageError(`sandbox: ${flag} needs a value`);
    return v;
  };
  const setMode = (m: SandboxMode, flag: string) => {
    if (mode !== undefined) throw new UsageError(`sandbox: ${flag} cannot be combined with --${mode}`);
    mode = m;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { mode: 'help', dir, command: [] };
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-')) break;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--config') config = inline ?? value(flag);
    else if (flag === '--dir') dir = inline ?? value(flag);
    else if (flag === '--background' && inline === undefined) setMode('background', arg);
    else if (flag === '--stop' && inline === undefined) setMode('stop', arg);
    else throw new UsageError(`sandbox: unknown option ${JSON.stringify(arg)}; a command comes after the options (npm run sandbox -- --help)`);
  }
  const command = argv.slice(i);
  if (command.length) {
    if (mode !== undefined) throw new UsageError(`sandbox: --${mode} takes no command, got ${JSON.stringify(command.join(' '))}`);
    return { mode: 'run', config, dir, command };
  }
  if (mode === 'stop' && config !== undefined) throw new UsageError('sandbox: --stop takes no --config (it stops whatever runs in --dir)');
  return { mode: mode ?? 'foreground', config, dir, command };
}
