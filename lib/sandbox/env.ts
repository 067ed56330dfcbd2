/**
 * The environment a command needs to run against the sandbox, and its renderings: the env file a shell
 * sources (`. .sandbox/env`) and the environment of a command the sandbox runs itself. Pure.
 */
import * as path from 'path';
import { BASE_CREDENTIALS } from './fleet';

export interface SandboxEnvironment {
  /** Variables to set, in a stable order. */
  readonly set: Record<string, string>;
  /** Variables to remove: a user's own AWS selection would otherwise win over the sandbox's. */
  readonly unset: string[];
}

/** Variables that select other credentials or another config than the sandbox's. */
export const UNSET = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE'];

export interface EnvironmentInput {
  /** The emulator's URL: every AWS call goes there (it proxies all but the scraper API to moto). */
  readonly endpoint: string;
  /** The sandbox directory (absolute). */
  readonly dir: string;
  readonly region: string;
  /** What scripts/offline-terraform.sh exported (empty when no provider mirror was found). */
  readonly terraform: Record<string, string>;
}

export const files = (dir: string) => ({
  config: path.join(dir, 'fleet.json'),
  awsConfig: path.join(dir, 'aws-config'),
  credentials: path.join(dir, 'aws-credentials'),
  env: path.join(dir, 'env'),
  state: path.join(dir, 'sandbox.json'),
  stateDir: path.join(dir, 'state'),
  terraform: path.join(dir, 'terraform'),
  log: path.join(dir, 'sandbox.log'),
});

export function sandboxEnvironment(input: EnvironmentInput): SandboxEnvironment {
  const f = files(input.dir);
  return {
    set: {
      AMP_XA_CONFIG: f.config,
      AWS_ENDPOINT_URL: input.endpoint,
      // Credential lookups that call STS themselves (role_arn profiles, web identity) do not all read the generic one.
      AWS_ENDPOINT_URL_STS: input.endpoint,
      AWS_CONFIG_FILE: f.awsConfig,
      AWS_SHARED_CREDENTIALS_FILE: f.credentials,
      AWS_ACCESS_KEY_ID: BASE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: BASE_CREDENTIALS.secretAccessKey,
      AWS_REGION: input.region,
      AWS_DEFAULT_REGION: input.region,
      AWS_EC2_METADATA_DISABLED: 'true',
      ...input.terraform,
    },
    unset: UNSET,
  };
}

/** A value as one single-quoted shell word: nothing in it is expanded when the file is sourced. */
export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/** The env file: POSIX sh (`. .sandbox/env` in sh, bash or zsh). */
export function renderEnvFile(env: SandboxEnvironment, header: string[]): string {
  return [
    ...header.map((line) => `# ${line}`),
    ...Object.entries(env.set).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
    `unset ${env.unset.join(' ')}`,
    '',
  ].join('\n');
}

/** The environment of a command run in the sandbox: the caller's, minus UNSET, plus the sandbox's. */
export function applyEnvironment(base: NodeJS.ProcessEnv, env: SandboxEnvironment): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...base };
  for (const key of env.unset) delete out[key];
  return { ...out, ...env.set };
}

/** The `export NAME='value'` lines of scripts/offline-terraform.sh, as a record. */
export function parseExports(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^export (\w+)=(?:'([^']*)'|(\S*))$/gm)) out[m[1]] = m[2] ?? m[3];
  return out;
}
