/** plan-all's command line: options, their defaults from the environment, and the usage text. */
import * as os from 'os';
import * as path from 'path';

export interface Options {
  outdir: string;
  concurrency: number;
  summary: string;
  markdown: string;
  logs: string;
  synth: boolean;
  /** Compare each pair's scrapers and roles in AWS with its unit's state (untracked.ts). */
  untracked: boolean;
  help: boolean;
}

export class UsageError extends Error {}

export const USAGE = `usage: npm run diff -- [options]    (scripts/ci/plan-all.sh [options])
  Plans every stack, N at a time, started in dependency order; prints each plan and a summary.
  -j, --concurrency N   stacks planned at once (default: AMP_XA_CONCURRENCY, else the number of CPUs)
  -o, --output DIR      synthesized app (default: CDKTF_OUTDIR, else cdktf.out)
  --summary FILE        JSON summary (default: <output>/plan-summary.json)
  --markdown FILE       Markdown report for a PR comment (default: <output>/plan-summary.md)
  --logs DIR            one full log per stack (default: <output>/plan-logs)
  --skip-synth          plan the app already in <output> instead of running cdktf synth first
  --skip-untracked      do not read AWS for scrapers and roles that no state tracks (left by an interrupted deploy)
  --skip-provider-lock  accepted for cdktf compatibility; plan-all never runs terraform providers lock
exit: 0 no changes, 2 changes pending, orphaned state, or untracked scrapers or roles in AWS, 1 error`;

function positive(option: string, text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || text === '' || !Number.isInteger(n) || n < 1) {
    throw new UsageError(`plan-all: ${option} takes a whole number of at least 1, got ${JSON.stringify(text ?? '')}`);
  }
  return n;
}

/**
 * One plan per CPU: two per CPU was measured no faster on 2 cores (20 pairs, 4 stacks: 38 s against 34 s) and
 * took half again as much memory; Terraform and the provider are CPU-bound while they start.
 */
export function defaultConcurrency(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length || 1;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): Options {
  const given: Record<string, string> = {};
  let synth = true;
  let untracked = true;
  let help = false;
  const valued: Record<string, string> = {
    '-j': 'concurrency',
    '--concurrency': 'concurrency',
    '-o': 'output',
    '--output': 'output',
    '--summary': 'summary',
    '--markdown': 'markdown',
    '--logs': 'logs',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (valued[flag]) {
      const value = flag !== arg ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`plan-all: ${flag} needs a value`);
      given[valued[flag]] = value;
    } else if (arg === '--skip-synth') synth = false;
    else if (arg === '--skip-untracked') untracked = false;
    else if (arg === '--skip-provider-lock') continue;
    else if (arg === '-h' || arg === '--help') help = true;
    else throw new UsageError(`plan-all: unknown option ${JSON.stringify(arg)}\n${USAGE}`);
  }
  const outdir = given.output ?? env.CDKTF_OUTDIR ?? 'cdktf.out';
  const concurrency =
    given.concurrency !== undefined
      ? positive('--concurrency', given.concurrency)
      : env.AMP_XA_CONCURRENCY
        ? positive('AMP_XA_CONCURRENCY', env.AMP_XA_CONCURRENCY)
        : defaultConcurrency();
  return {
    outdir,
    concurrency,
    summary: given.summary ?? path.join(outdir, 'plan-summary.json'),
    markdown: given.markdown ?? path.join(outdir, 'plan-summary.md'),
    logs: given.logs ?? path.join(outdir, 'plan-logs'),
    synth,
    untracked,
    help,
  };
}
