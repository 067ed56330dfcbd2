/**
 * Whether a stack's `.terraform` directory was initialized, by plan-all, from the inputs the stack has now: the
 * synthesized `terraform` block (backend, cloud, required providers), module sources and the provider lock file.
 * When they are unchanged, `terraform init` (over a second per stack, CPU-bound) would do nothing, so plan-all
 * skips it; any change, a missing stamp or a plan that fails without init sends it back through `terraform init`.
 */
import { createHash } from 'crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';

const STAMP = path.join('.terraform', 'amp-xa-init.sha256');

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The digest of what `terraform init` acts on, for the stack in `directory` (its cdk.tf.json and lock file). */
export function initInputs(directory: string): string {
  const stack = JSON.parse(readFileSync(path.join(directory, 'cdk.tf.json'), 'utf8'));
  const modules = Object.entries<any>(stack.module ?? {}).map(([name, m]) => [name, m?.source, m?.version]);
  return createHash('sha256')
    .update(JSON.stringify({ terraform: stack.terraform ?? {}, modules, lock: readOrEmpty(path.join(directory, '.terraform.lock.hcl')) }))
    .digest('hex');
}

export function initIsCurrent(directory: string): boolean {
  try {
    return readOrEmpty(path.join(directory, STAMP)).trim() === initInputs(directory);
  } catch {
    return false;
  }
}

/** Before `terraform init`: a failed or interrupted init must not leave a stamp that says it succeeded. */
export function forgetInit(directory: string): void {
  rmSync(path.join(directory, STAMP), { force: true });
}

/** After a successful `terraform init`. Only a shortcut: when the stamp cannot be written, the next run inits again. */
export function rememberInit(directory: string): void {
  try {
    mkdirSync(path.join(directory, '.terraform'), { recursive: true });
    writeFileSync(path.join(directory, STAMP), initInputs(directory) + '\n');
  } catch {
    /* no stamp: init runs next time */
  }
}
