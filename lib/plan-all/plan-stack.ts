/**
 * One stack's plan, as plan-all and the deploy's plan-first step run it: `terraform init` when needed, then
 * `terraform plan -json -detailed-exitcode -out`, counted from its stream; the whole output in the stack's log.
 */
import { appendFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { exec, type Stopper } from './exec';
import { forgetInit, initIsCurrent, needsInit, rememberInit } from './init-stamp';
import { countSavedPlan, errorLines, readPlanStream } from './plan-stream';
import type { StackSummary } from './report';
import type { Options } from './options';
import type { ManifestStack } from './schedule';

/**
 * A stack's log: appended to its file as output arrives (a killed run still leaves what it got), with the current
 * attempt kept in memory, where the errors of a failed stack are read from.
 */
export class StackLog {
  private attempt = '';
  constructor(readonly file: string) {
    writeFileSync(file, '');
  }
  write(text: string): void {
    this.attempt += text;
    appendFileSync(this.file, text);
  }
  retry(reason: string): void {
    this.attempt = '';
    this.write(`${reason}\n`);
  }
  get lastAttempt(): string {
    return this.attempt;
  }
}

/**
 * `terraform init` (unless the stack was initialized from the same inputs, see init-stamp), then
 * `terraform plan -json -detailed-exitcode -out`, counted from its stream (from the saved plan when the stream
 * lacks the change messages: Terraform Cloud remote runs); a stack with changes gets the saved plan shown in its
 * log for reviewers. A plan that fails after a skipped init saying init is needed is retried once after one.
 * `onInitialized` is called once the stack's init is current, before its plan.
 */
export async function planStack(
  stack: ManifestStack,
  options: Pick<Options, 'logs'> & { lock?: boolean; stopper?: Stopper; onInitialized?: () => void },
  terraform: string,
  env: NodeJS.ProcessEnv,
): Promise<StackSummary> {
  const started = Date.now();
  const log = new StackLog(path.join(options.logs, `${stack.name}.log`));
  const planFile = 'amp-xa.tfplan';
  const cwd = stack.workingDirectory;
  const base = { name: stack.name, dependencies: stack.dependencies, log: log.file };
  const done = (summary: Omit<StackSummary, keyof typeof base | 'seconds'>): StackSummary => ({
    ...base,
    ...summary,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  });
  const fail = (planExitCode: number | null) => done({ result: 'error', planExitCode, errors: errorLines(log.lastAttempt), plan: null });
  const init = async () => {
    forgetInit(cwd, env);
    const r = await exec(terraform, ['init', '-input=false', '-no-color'], cwd, env, log, false, options.stopper);
    if (r.code === 0) rememberInit(cwd, env);
    return r.code === 0;
  };
  const plan = async () => {
    const from = log.lastAttempt.length;
    const r = await exec(
      terraform,
      ['plan', '-json', '-no-color', '-detailed-exitcode', '-input=false', `-lock=${options.lock ? 'true' : 'false'}`, `-out=${planFile}`],
      cwd,
      env,
      log,
      true,
      options.stopper,
    );
    const stream = readPlanStream(r.stdout);
    log.write(stream.text);
    return { code: r.code, stream, output: log.lastAttempt.slice(from) };
  };

  const initialized = initIsCurrent(cwd, env);
  if (initialized) log.write(`(terraform init skipped: it ran for this stack's backend, providers and lock file already)\n`);
  else if (!(await init())) return fail(null);
  options.onInitialized?.();
  let planned = await plan();
  if (initialized && planned.code !== 0 && planned.code !== 2 && needsInit(planned.output)) {
    log.retry('the plan needs terraform init: initializing and planning again');
    if (!(await init())) return fail(null);
    planned = await plan();
  }
  if (planned.code !== 0 && planned.code !== 2) return fail(planned.code);
  let counts = planned.stream.counts;
  if (planned.code === 2 && !planned.stream.complete) {
    const saved = await exec(terraform, ['show', '-json', '-no-color', planFile], cwd, env, log, true);
    try {
      if (saved.code !== 0) throw new Error(`terraform show -json exited ${saved.code}`);
      counts = countSavedPlan(JSON.parse(saved.stdout));
    } catch (e) {
      log.write(`Error: cannot count the changes of the saved plan: ${(e as Error).message}\n`);
      return fail(planned.code);
    }
  }
  if (planned.code === 2) await exec(terraform, ['show', '-no-color', planFile], cwd, env, log);
  return done({
    result: planned.code === 2 ? 'changes' : 'no-changes',
    planExitCode: planned.code,
    errors: [],
    plan: path.join(cwd, planFile),
    ...counts,
  });
}

/** A stack whose plan could not even run (a thrown error): an error summary, as a failed plan has. */
export function unplannedStack(name: string, dependencies: string[], error: unknown): StackSummary {
  return { name, dependencies, result: 'error', planExitCode: null, errors: [String(error)], log: '', plan: null, seconds: 0 };
}
