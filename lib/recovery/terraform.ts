/**
 * Terraform in a synthesized stack directory, for recovery: the state as Terraform reads it (`state pull`, so every
 * backend and its credentials work as in a deploy, Terraform Cloud included) and `import` into the stack's own
 * addresses. Nothing here applies a plan.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { exec } from '../plan-all/exec';
import { RECOVER_IMPORT_VARIABLE } from '../preflight/recover-import';

export function stackDirectory(outdir: string, stack: string): string {
  return path.join(outdir, 'stacks', stack);
}

export function synthesizedStack(outdir: string, stack: string): unknown | undefined {
  const file = path.join(stackDirectory(outdir, stack), 'cdk.tf.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

/** Collects a command's stderr (and stdout unless captured) for the error message. */
class Tail {
  text = '';
  write(chunk: string) {
    this.text = (this.text + chunk).slice(-4000);
  }
}

export class TerraformError extends Error {}

async function terraform(dir: string, args: string[], env: NodeJS.ProcessEnv, capture = false): Promise<string> {
  const log = new Tail();
  const result = await exec('terraform', [...args], dir, { ...env, TF_IN_AUTOMATION: '1' }, log, capture);
  if (result.code !== 0) throw new TerraformError(`terraform ${args[0]} in ${dir} failed (exit ${result.code}):\n${log.text.trim()}`);
  return result.stdout;
}

/**
 * A deploy, plan-all or an earlier recover initialized the directory: its backend settings and providers are both
 * there (a synth for another fleet drops the backend settings: lib/stack-dirs.ts).
 */
export function isInitialized(dir: string, env: NodeJS.ProcessEnv): boolean {
  const dataDir = env.TF_DATA_DIR ? path.resolve(dir, env.TF_DATA_DIR) : path.join(dir, '.terraform');
  return existsSync(path.join(dataDir, 'terraform.tfstate')) && existsSync(path.join(dataDir, 'providers'));
}

/** `terraform init` once per directory. */
export async function ensureInitialized(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!isInitialized(dir, env)) await terraform(dir, ['init', '-input=false', '-no-color'], env);
}

/** The stack's state (null when it has none yet). */
export async function pullState(dir: string, env: NodeJS.ProcessEnv): Promise<unknown | null> {
  await ensureInitialized(dir, env);
  const text = (await terraform(dir, ['state', 'pull'], env, true)).trim();
  return text ? JSON.parse(text) : null;
}

/**
 * The `-var` arguments of an import: a phase-1 stack's preflight reads nothing while recover imports (see
 * RECOVER_IMPORT_VARIABLE); a stack that does not declare the variable gets none (Terraform refuses undeclared ones).
 */
export function importVariables(synthesized: unknown): string[] {
  const declared = (synthesized as { variable?: Record<string, unknown> } | undefined)?.variable ?? {};
  return Object.prototype.hasOwnProperty.call(declared, RECOVER_IMPORT_VARIABLE) ? [`-var=${RECOVER_IMPORT_VARIABLE}=true`] : [];
}

/** `variables`: importVariables of the stack's synthesized JSON. */
export async function importResource(dir: string, address: string, id: string, env: NodeJS.ProcessEnv, variables: readonly string[]): Promise<void> {
  await ensureInitialized(dir, env);
  await terraform(dir, ['import', '-input=false', '-no-color', ...variables, address, id], env);
}

export async function untaintResource(dir: string, address: string, env: NodeJS.ProcessEnv): Promise<void> {
  await ensureInitialized(dir, env);
  await terraform(dir, ['untaint', '-no-color', address], env);
}
