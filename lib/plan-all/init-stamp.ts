/**
 * Whether a stack's Terraform data directory was initialized, by plan-all, from the inputs the stack has now: the
 * synthesized `terraform` block (backend, cloud, required providers), module sources, the provider lock file, and
 * the environment that changes what init does (TF_CLI_ARGS, TF_CLI_ARGS_init, TF_DATA_DIR, the Terraform binary).
 * When they are unchanged, `terraform init` (over a second per stack, CPU-bound) would do nothing, so plan-all
 * skips it; any change or a missing stamp sends it back through `terraform init`, and so does a plan that fails
 * saying init is needed.
 */
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';

const STAMP = 'amp-xa-init.sha256';
const INIT_ENV = ['TF_CLI_ARGS', 'TF_CLI_ARGS_init', 'TF_DATA_DIR', 'TERRAFORM_BINARY_NAME'];

/** Terraform's data directory for the stack: TF_DATA_DIR (relative to the stack) or `.terraform`. */
function dataDir(directory: string, env: NodeJS.ProcessEnv): string {
  return path.resolve(directory, env.TF_DATA_DIR || '.terraform');
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The digest of what `terraform init` acts on, for the stack in `directory` (its cdk.tf.json and lock file). */
export function initInputs(directory: string, env: NodeJS.ProcessEnv): string {
  const stack = JSON.parse(readFileSync(path.join(directory, 'cdk.tf.json'), 'utf8'));
  const modules = Object.entries<any>(stack.module ?? {}).map(([name, m]) => [name, m?.source, m?.version]);
  return createHash('sha256')
    .update(
      JSON.stringify({
        terraform: stack.terraform ?? {},
        modules,
        lock: readOrEmpty(path.join(directory, '.terraform.lock.hcl')),
        env: INIT_ENV.map((name) => env[name] ?? null),
      }),
    )
    .digest('hex');
}

export function initIsCurrent(directory: string, env: NodeJS.ProcessEnv): boolean {
  try {
    return readOrEmpty(path.join(dataDir(directory, env), STAMP)).trim() === initInputs(directory, env);
  } catch {
    return false;
  }
}

/** Before `terraform init`: a failed or interrupted init must not leave a stamp that says it succeeded. */
export function forgetInit(directory: string, env: NodeJS.ProcessEnv): void {
  rmSync(path.join(dataDir(directory, env), STAMP), { force: true });
}

/** After a successful `terraform init`. Only a shortcut: when the stamp cannot be written, the next run inits again. */
export function rememberInit(directory: string, env: NodeJS.ProcessEnv): void {
  try {
    const dir = dataDir(directory, env);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, STAMP), initInputs(directory, env) + '\n');
  } catch {
    /* no stamp: init runs next time */
  }
}

/**
 * After another tool's successful `terraform init` of the stack (cdktf deploy runs one per stack): stamps the
 * directory when Terraform's data directory is there. Returns whether it did.
 */
export function rememberOtherInit(directory: string, env: NodeJS.ProcessEnv): boolean {
  if (!existsSync(dataDir(directory, env))) return false;
  rememberInit(directory, env);
  return true;
}

/**
 * Whether a failed plan says the working directory needs `terraform init` (backend, providers, lock file or
 * modules out of date); any other failure is the plan's own and is not worth a second try.
 */
export function needsInit(output: string): boolean {
  return /Backend initialization required|Backend configuration changed|Inconsistent dependency lock file|Required plugins are not installed|Missing required provider|Could not load plugin|Module not installed|Module source has changed|Module version requirements have changed|terraform init/i.test(
    output,
  );
}
