/**
 * `npm run synth|deploy|destroy`: cdktf with a bounded number of stacks at a time and clean logs.
 *
 *   npm run deploy  -- [--auto-approve] [-j N | --concurrency N] [stacks...] [other cdktf deploy options]
 *   npm run destroy -- [--auto-approve] [-j N] [stacks...]
 *   npm run synth
 *
 * - Stacks default to '*'. At most N stacks run at once (`cdktf --parallelism N`): N from -j/--concurrency,
 *   else AMP_XA_CONCURRENCY, else the number of CPUs (each stack runs Terraform and a provider process).
 * - Approval is never implied: deploy/destroy without --auto-approve need a terminal to answer cdktf's prompt;
 *   without one (CI, pipes) this stops before anything runs and says to pass --auto-approve, instead of cdktf's
 *   Ink "Raw mode is not supported" stack trace after planning.
 * - Not on a terminal (CI, logs to a file): CI=true (no spinner, no cursor codes), FORCE_COLOR=0 (no colour
 *   codes from cdktf) and --no-color (none from Terraform); the last frame of cdktf's progress line is dropped.
 * - NODE_OPTIONS gains --disable-warning=MaxListenersExceededWarning: cdktf-cli adds one "abort" listener per
 *   stack to a shared AbortSignal (its `terraform init` step) and never removes it, so 11+ stacks print a
 *   harmless leak warning. And --max-old-space-size=4096, which cdktf otherwise warns it cannot set.
 * - The config is checked first: an invalid one is reported once, before cdktf starts.
 * - deploy/destroy run Terraform through lib/recovery/terraform-logged.sh (cdktf's TERRAFORM_BINARY_NAME), which keeps
 *   a copy of each apply's output: after a Ctrl-C, cdktf no longer streams it, and the wrapper shows per stack
 *   whether Terraform finished and, where it was stopped, its last lines; then what the state was left with.
 * - AMP_XA_PROVIDER_MIRROR set (scripts/offline-terraform.sh): --skip-provider-lock, since cdktf's
 *   `terraform providers lock` ignores filesystem mirrors.
 * - deploy of every stack, once each has been deployed: every stack is planned side by side first
 *   (lib/deploy/plan-first.ts) and the deploy ends there when none has a change; otherwise cdktf deploy runs on
 *   the app just synthesized (--skip-synth). --no-plan-first: straight to cdktf deploy.
 */
import { spawn, spawnSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Transform } from 'stream';
import { StringDecoder } from 'string_decoder';
import { asksForHelp } from '../lib/cli-options';
import { ConfigError } from '../lib/config/fleet';
import { loadFleetConfig } from '../lib/config/load';
import { escapeText } from '../lib/describe-value';
import { failureHints, reportInterruption } from '../lib/recovery/after-deploy';
import { loggedTerraformEnv } from '../lib/recovery/terraform-log';
import { Interrupts } from '../lib/deploy/interrupts';
import { planFirst, planFirstLogs, rememberDeployedInits } from '../lib/deploy/plan-first';
import { Stopper } from '../lib/plan-all/exec';
import { synthesizedAppDir } from '../lib/stack-dirs';

const ROOT = path.join(__dirname, '..');
const COMMANDS = ['synth', 'deploy', 'destroy'] as const;
type Command = (typeof COMMANDS)[number];

export class UsageError extends Error {}

/** amp-xa's usage of each command (`npm run deploy -- --help`); cdktf's own options: npx cdktf deploy --help. */
export const USAGE: Record<Command, string> = {
  synth: `usage: npm run synth [-- cdktf synth options]
  Synthesizes Terraform JSON for every stack of the fleet config (AMP_XA_CONFIG; default examples/single-pair.json)
  into cdktf.out. No credentials needed. Warns about local states whose stack left the app.
  cdktf's own options: npx cdktf synth --help`,
  deploy: `usage: npm run deploy -- [stacks...] [--auto-approve] [-j N | --concurrency N] [cdktf deploy options]
  Deploys every stack ('*' unless stacks are given) in dependency order: workspace -> scrapers -> trust.
  -j, --concurrency N  stacks at once (cdktf --parallelism; default AMP_XA_CONCURRENCY, else the number of CPUs)
  --auto-approve       no prompt; required when stdin is not a terminal (CI): review npm run diff first
  --no-plan-first      do not plan every stack side by side first (by default, once every stack has been
                       deployed, a deploy of all of them with no changes ends after those plans)
  Run it again: it reports no changes (or repairs hand-edited trust). Interrupted (Ctrl-C, SIGTERM): it waits for
  Terraform, shows per stack where Terraform stopped and its last lines, and what to run next (npm run recover).
  cdktf's own options: npx cdktf deploy --help`,
  destroy: `usage: npm run destroy -- [stacks...] [--auto-approve] [-j N | --concurrency N] [cdktf destroy options]
  Destroys every stack ('*' unless stacks are given), trust stacks first; a scraper's deletion takes 8+ minutes.
  To remove one pair, delete it from the config and deploy. cdktf's own options: npx cdktf destroy --help`,
};

export interface Invocation {
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Plan every stack side by side first and stop when none has changes (lib/deploy/plan-first.ts). */
  planFirst: boolean;
}

/** Options that leave a deploy of every stack what plan-first checks; any other (a target, vars, refresh-only) skips it. */
const PLAN_FIRST_COMPATIBLE = new Set(['--auto-approve', '--skip-provider-lock', '--no-color', '--parallelism']);

function planFirstApplies(cmd: Command, rest: readonly string[]): boolean {
  if (cmd !== 'deploy' || (rest.length && !rest[0].startsWith('-') && rest[0] !== '*')) return false;
  for (let i = rest[0] === '*' ? 1 : 0; i < rest.length; i++) {
    const flag = rest[i].split('=')[0];
    if (!PLAN_FIRST_COMPATIBLE.has(flag)) return false;
    if (flag === '--parallelism' && !rest[i].includes('=')) i++;
  }
  return true;
}

function concurrencyOf(text: string | undefined, source: string): number {
  const n = Number(text);
  if (!text || !Number.isInteger(n) || n < 1) throw new UsageError(`cdktf: ${source} takes a whole number of at least 1, got ${JSON.stringify(text ?? '')}`);
  return n;
}

/** The cdktf command line and environment for `npm run <command> -- argv`. */
export function invocation(command: string, argv: string[], env: NodeJS.ProcessEnv, interactive: { stdin: boolean; stdout: boolean }): Invocation {
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`cdktf: expected one of ${COMMANDS.join(', ')}, got ${JSON.stringify(command)}`);
  const cmd = command as Command;
  const rest: string[] = [];
  let concurrency: number | undefined;
  let noPlanFirst = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-plan-first' && cmd === 'deploy') noPlanFirst = true;
    else if (arg === '-j' || arg === '--concurrency') concurrency = concurrencyOf(argv[++i], arg);
    else if (arg.startsWith('--concurrency=')) concurrency = concurrencyOf(arg.slice('--concurrency='.length), '--concurrency');
    else rest.push(arg);
  }
  const has = (flag: string) => rest.some((a) => a === flag || a.startsWith(`${flag}=`));
  // TF_CLI_ARGS_apply (a -replace, a -target) makes the apply do what no plan of plan-first showed.
  const planFirst = !noPlanFirst && !env.TF_CLI_ARGS_apply && planFirstApplies(cmd, rest);
  const args: string[] = [cmd];
  const flags: string[] = [];
  if (cmd !== 'synth') {
    if (!has('--auto-approve') && !interactive.stdin) {
      throw new UsageError(
        `cdktf ${cmd}: stdin is not a terminal, so cdktf cannot ask for approval. Review the plan (npm run diff), then run ` +
          `npm run ${cmd} -- --auto-approve to ${cmd} without a prompt.`,
      );
    }
    // Stacks come first (npm run deploy -- a-scrapers a-trust --auto-approve); none given: all of them.
    if (!rest.length || rest[0].startsWith('-')) args.push('*');
    if (!has('--parallelism')) {
      const n = concurrency ?? (env.AMP_XA_CONCURRENCY ? concurrencyOf(env.AMP_XA_CONCURRENCY, 'AMP_XA_CONCURRENCY') : os.availableParallelism());
      flags.push('--parallelism', String(n));
    }
    if (env.AMP_XA_PROVIDER_MIRROR && !has('--skip-provider-lock')) flags.push('--skip-provider-lock');
  } else if (concurrency !== undefined) {
    throw new UsageError('cdktf synth: --concurrency applies to deploy and destroy');
  }
  args.push(...rest, ...flags);
  const childEnv: NodeJS.ProcessEnv = { ...env };
  if (!interactive.stdout || env.CI) {
    Object.assign(childEnv, { CI: env.CI || 'true', FORCE_COLOR: '0' });
    if (cmd !== 'synth' && !has('--no-color')) args.push('--no-color');
  }
  const nodeOptions = (env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  if (!nodeOptions.some((o) => o.startsWith('--disable-warning=MaxListenersExceededWarning')) && process.allowedNodeEnvironmentFlags.has('--disable-warning')) {
    nodeOptions.push('--disable-warning=MaxListenersExceededWarning');
  }
  if (!nodeOptions.some((o) => o.startsWith('--max-old-space-size'))) nodeOptions.push('--max-old-space-size=4096');
  childEnv.NODE_OPTIONS = nodeOptions.join(' ');
  return { args, env: childEnv, planFirst };
}

/**
 * cdktf's progress line ("1 Stack deploying     1 Stack done     3 Stacks waiting") is redrawn in place on a terminal;
 * in a log only its last frame is left, a state that was already stale when the run ended.
 */
export const STATUS_FRAME = /^\d+ Stacks? \S+ {5}\d+ Stacks? done {5}\d+ Stacks? waiting\s*$/;

/** cdktf's stdout off a terminal, line by line, without the progress line's frames. */
export function withoutStatusFrames(): Transform {
  let partial = '';
  const decoder = new StringDecoder('utf8'); // a character split between chunks stays whole
  const keep = (line: string) => (STATUS_FRAME.test(line) ? '' : `${line}\n`);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const lines = (partial + decoder.write(chunk)).split('\n');
      partial = lines.pop()!;
      done(null, lines.map(keep).join(''));
    },
    flush(done) {
      const rest = partial + decoder.end();
      done(null, STATUS_FRAME.test(rest) ? '' : rest);
    },
  });
}

/** The shim is a bash script; without bash, Terraform runs as before and a Ctrl-C shows only the state it left. */
function bashRuns(): boolean {
  return spawnSync('bash', ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0;
}

/** The `--parallelism` cdktf is given (the wrapper always gives one to deploy). */
function parallelismOf(args: readonly string[]): number {
  const i = args.indexOf('--parallelism');
  const given = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--parallelism='))?.slice('--parallelism='.length);
  return Number(given) > 0 ? Number(given) : os.availableParallelism();
}

/**
 * Plans every stack first (lib/deploy/plan-first.ts): resolves to the cdktf invocation to run next, or undefined when
 * there is nothing to deploy or the plans were interrupted (nothing was applied then: plans change nothing).
 */
async function planningFirst(inv: Invocation): Promise<Invocation | undefined> {
  const outdir = synthesizedAppDir();
  // The plans run in their own process groups, so only the wrapper hears a Ctrl-C and each interrupt is one
  // SIGINT to each plan: the first lets Terraform release its lock, a second stops it at once.
  const stopper = new Stopper();
  const interrupts = new Interrupts();
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = () => {
      const n = interrupts.record(signal);
      if (!n) return;
      if (n === 1) console.error('amp-xa: stopping the plans (each releases its state lock); interrupt again to stop Terraform at once');
      stopper.stop();
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const started = Date.now();
  const logs = planFirstLogs(outdir);
  try {
    const result = await planFirst({ outdir, concurrency: parallelismOf(inv.args), logs, stopper }, inv.env, (line) => console.log(line));
    if (result.result === 'interrupted' || interrupts.first) {
      console.error(`amp-xa: deploy interrupted (${interrupts.first}) while planning, before anything was applied: nothing changed.`);
      process.exitCode = 1;
      return undefined;
    }
    if (result.result === 'no-changes') {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `amp-xa: No changes. Your infrastructure matches the configuration: ${result.stacks.length} stacks planned in ${seconds} s, nothing to deploy (plans: ${logs}).`,
      );
      return undefined;
    }
    console.log(`amp-xa: ${result.why}: deploying with cdktf`);
    return result.synthesized ? { ...inv, args: [...inv.args, '--skip-synth'] } : inv;
  } catch (e) {
    // Planning first only saves time: when it breaks, the deploy goes on as it did without it.
    console.error(`amp-xa: planning first failed (${escapeText(e instanceof Error ? e.message : String(e), 500)}): deploying with cdktf`);
    return inv;
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}

function main(): void {
  const [command = '', ...argv] = process.argv.slice(2);
  if ((COMMANDS as readonly string[]).includes(command) && asksForHelp(argv)) {
    process.stdout.write(`${USAGE[command as Command]}\n`);
    return;
  }
  let inv: Invocation;
  try {
    inv = invocation(command, argv, process.env, { stdin: Boolean(process.stdin.isTTY), stdout: Boolean(process.stdout.isTTY) });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
  // An invalid config is said once, here: through cdktf it would print twice (cdktf streams its app's stderr as
  // "[ERROR] default - <time>" lines, then repeats that output in its "encountered an error while synthesizing" block).
  try {
    loadFleetConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
  if (!inv.planFirst) return runCdktf(inv);
  planningFirst(inv).then(
    (next) => next && runCdktf(next),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}

function runCdktf(inv: Invocation): void {
  const cdktf = process.env.CDKTF || path.join(ROOT, 'node_modules', '.bin', 'cdktf');
  const onTerminal = Boolean(process.stdout.isTTY);
  // Each apply's output is also kept, for what to show after a Ctrl-C (lib/recovery/terraform-log.ts).
  const terraformLogs = inv.args[0] === 'synth' || !bashRuns() ? undefined : mkdtempSync(path.join(os.tmpdir(), 'amp-xa-terraform-'));
  const child = spawn(cdktf, inv.args, {
    env: terraformLogs ? loggedTerraformEnv(inv.env, terraformLogs) : inv.env,
    stdio: ['inherit', onTerminal ? 'inherit' : 'pipe', 'inherit'],
  });
  // The end of the log, for what to say when the run fails (a stale lock, a scraper still deleting).
  let tail = '';
  if (!onTerminal)
    child
      .stdout!.pipe(withoutStatusFrames())
      .on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-200_000)))
      .pipe(process.stdout);
  child.on('error', (e) => {
    console.error(`cdktf: cannot run ${cdktf}: ${e.message}`);
    process.exit(1);
  });
  let interrupted: NodeJS.Signals | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      interrupted ??= signal;
      child.kill(signal);
    });
  // 'close', not 'exit': the last of cdktf's output is through the filter by then.
  child.on('close', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
    const appDir = synthesizedAppDir();
    // A stamp gone stale (the app changed after this deploy) costs nothing: a plan that says init is needed inits.
    if (process.exitCode === 0 && inv.args[0] === 'deploy' && inv.args[1] === '*') rememberDeployedInits(appDir, inv.env);
    if (process.exitCode !== 0) for (const hint of failureHints(tail, appDir)) console.error(hint);
    if (interrupted && inv.args[0] !== 'synth') {
      process.exitCode = process.exitCode || 1;
      reportInterruption(inv.args[0], interrupted, terraformLogs, appDir);
    }
    if (terraformLogs) rmSync(terraformLogs, { recursive: true, force: true });
  });
}

if (require.main === module) main();
