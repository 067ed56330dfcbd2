/**
 * What Terraform said in each stack of a deploy that was interrupted. Once a Ctrl-C aborts it, cdktf stops streaming
 * the stacks' output, so Terraform's own last lines ("Interrupt received", "Stopping operation...", the errors of
 * what it was creating) never reach the log. The deploy wrapper points cdktf's TERRAFORM_BINARY_NAME at
 * terraform-logged.sh, which copies each apply's output to <dir>/<stack>.log; after the interruption this tells,
 * per stack, whether Terraform finished, and shows the end of what it said where it did not. Pure but for the reads.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { untrusted } from '../status/text';

export const TERRAFORM_SHIM = path.join(__dirname, 'terraform-logged.sh');

/** How many of Terraform's last lines are shown per stack that did not finish. */
export const LAST_LINES = 15;

// eslint-disable-next-line no-control-regex -- colour codes start with ESC
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** The environment under which cdktf runs Terraform through the shim, logging into `dir`. */
export function loggedTerraformEnv(env: NodeJS.ProcessEnv, dir: string): NodeJS.ProcessEnv {
  return {
    ...env,
    AMP_XA_TERRAFORM: env.AMP_XA_TERRAFORM || env.TERRAFORM_BINARY_NAME || 'terraform',
    AMP_XA_TERRAFORM_LOG_DIR: dir,
    TERRAFORM_BINARY_NAME: TERRAFORM_SHIM,
  };
}

export type StackRun = { stack: string; outcome: 'finished' | 'not-started' } | { stack: string; outcome: 'stopped'; lastLines: string[] };

/** A stack's run from its log (undefined: Terraform never applied it in this run). */
export function stackRun(stack: string, log: string | undefined): StackRun {
  if (log === undefined) return { stack, outcome: 'not-started' };
  const lines = log
    .replace(ANSI, '')
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter(Boolean);
  if (lines.some((line) => /^(Apply|Destroy) complete!/.test(line))) return { stack, outcome: 'finished' };
  return { stack, outcome: 'stopped', lastLines: lines.slice(-LAST_LINES).map((line) => untrusted(line, 400)) };
}

export function readStackRuns(dir: string, stacks: readonly string[]): StackRun[] {
  return stacks.map((stack) => {
    const file = path.join(dir, `${stack}.log`);
    return stackRun(stack, existsSync(file) ? readFileSync(file, 'utf8') : undefined);
  });
}

/** The report's lines: which stacks Terraform finished, which it stopped in (with what it said), which it never reached. */
export function stackRunReport(runs: readonly StackRun[]): string[] {
  const out: string[] = [];
  const named = (outcome: StackRun['outcome']) => runs.filter((r) => r.outcome === outcome).map((r) => r.stack);
  if (named('finished').length) out.push(`amp-xa: Terraform finished ${named('finished').join(', ')} before the interruption`);
  for (const run of runs) {
    if (run.outcome !== 'stopped') continue;
    out.push(`amp-xa: Terraform was stopped in ${run.stack}; its last lines:`);
    out.push(...(run.lastLines.length ? run.lastLines.map((line) => `  | ${line}`) : ['  | (nothing)']));
  }
  if (named('not-started').length) out.push(`amp-xa: Terraform did not start ${named('not-started').join(', ')} (nothing changed there)`);
  return out;
}
