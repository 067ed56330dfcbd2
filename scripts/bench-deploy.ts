/**
 * `npm run bench:deploy`: deploys generated fleets with amp-xa and, as the anchor, with a plain-Terraform root
 * module of the same fleet (scripts/bench/plain-root.ts), against moto + the AMP scraper emulator
 * (__tests__/e2e/harness.ts), and prints per fleet size the wall time of the first deploy (both phases), of a
 * no-change deploy and of plan-all, with peak PSS, processes and terraform/provider processes of each command's
 * process tree, each as a ratio to the anchor. Prints figures; asserts nothing; not part of npm test.
 * Each side of each fleet size gets a fresh moto + emulator + scratch directory; nothing is destroyed (the
 * provider waits 8 minutes per scraper deletion), everything started is stopped at the end, on errors and on Ctrl-C.
 * Options: --pairs 10,20,50 (default; add 100 when wanted), --source-accounts N (default ceil(pairs/10) per size),
 * --preflight-cost (after amp-xa's no-change deploy, the phase-1 stack's no-change plan with and without the
 * plan-time preflight, three of each (--preflight-runs N: N), alternately: scripts/bench/preflight-cost.ts).
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { cpus } from 'os';
import { E2eEnvironment } from '../__tests__/e2e/harness';
import { asksForHelp } from '../lib/cli-options';
import { parseFleetConfig } from '../lib/config/load';
import { DEPLOYER_ROLE, TARGET_ACCOUNT_ID, defaultSourceAccounts, generateFleet, sourceAccountId, wholeNumber, workspaceCount } from './generate-fleet';
import { writePlainRoot } from './bench/plain-root';
import { preflightCost } from './bench/preflight-cost';
import { SAMPLE_MS, combine, measure, stopAll, timeline, type Measurement } from './bench/measure';

const ROOT = path.join(__dirname, '..');
const CDKTF = path.join(ROOT, 'node_modules', '.bin', 'cdktf');
const USAGE = 'usage: npm run bench:deploy -- [--pairs 10,20,50[,100]] [--source-accounts N] [--preflight-cost] [--preflight-runs N]';
const STEPS = ['first deploy', 'no-change deploy', 'plan-all'] as const;
type Step = (typeof STEPS)[number];

interface SideResult {
  steps: Record<Step, Measurement>;
  detail: string[];
  notes: string[];
}

interface Options {
  sizes: number[];
  sourceAccounts?: number;
  preflightCost: boolean;
  /** Plans each way for the preflight's cost (medians of these). */
  preflightRuns: number;
}

function parseOptions(argv: string[]): Options {
  let sizes = [10, 20, 50];
  let sourceAccounts: number | undefined;
  let preflightCost = false;
  let preflightRuns = 3;
  for (let i = 0; i < argv.length; i++) {
    const option = argv[i];
    if (option === '--pairs') sizes = (argv[++i] ?? '').split(',').map((n) => wholeNumber('bench:deploy', '--pairs', n));
    else if (option === '--source-accounts') sourceAccounts = wholeNumber('bench:deploy', '--source-accounts', argv[++i]);
    else if (option === '--preflight-cost') preflightCost = true;
    else if (option === '--preflight-runs') {
      preflightRuns = wholeNumber('bench:deploy', '--preflight-runs', argv[++i]);
      preflightCost = true;
    } else {
      console.error(`bench:deploy: unknown option ${JSON.stringify(option)}; ${USAGE}`);
      process.exit(2);
    }
  }
  return { sizes, sourceAccounts, preflightCost, preflightRuns };
}

const environments = new Set<E2eEnvironment>();

/** A fresh moto + emulator with a deployer role in every account and the fleet's workspaces and clusters created in moto. */
async function prepare(pairs: number, sourceAccounts: number): Promise<{ env: E2eEnvironment; config: ReturnType<typeof generateFleet> }> {
  const env = new E2eEnvironment({});
  environments.add(env);
  await env.start();
  // moto lands an assume-role in the role's account (it does not check the role exists); create the roles anyway.
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' }],
  });
  const accountIds = [TARGET_ACCOUNT_ID, ...Array.from({ length: Math.min(pairs, sourceAccounts) }, (_, i) => sourceAccountId(i))];
  for (const id of accountIds) await env.aws(id, ['iam', 'create-role', '--role-name', DEPLOYER_ROLE, '--assume-role-policy-document', trust]);
  const workspaceArns: string[] = [];
  for (let w = 0; w < workspaceCount(pairs); w++) {
    workspaceArns.push((await env.aws(TARGET_ACCOUNT_ID, ['amp', 'create-workspace', '--alias', `bench-ws-${w}`])).arn);
  }
  const config = generateFleet(pairs, { sourceAccounts, workspaceArns });
  // The plan-time preflight reads every cluster: create them (healthy), which also writes the config.
  await env.provisionClusters(config);
  return { env, config };
}

async function release(env: E2eEnvironment): Promise<void> {
  environments.delete(env);
  await env.stop();
}

/** Runs one command, keeps its figures, and stops the run with the end of its output if it failed (exit not in `ok`). */
async function step(detail: string[], label: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, ok = [0]): Promise<Measurement> {
  const m = await measure(command, args, { cwd, env });
  detail.push(
    `    ${label.padEnd(44)} ${m.seconds.toFixed(1).padStart(7)} s ${m.peakPssMb.toFixed(0).padStart(6)} MB ${String(m.peakProcs).padStart(4)} procs ${String(m.peakTerraform).padStart(3)} tf ${String(m.peakProviders).padStart(3)} prov`,
  );
  if (!ok.includes(m.code)) throw new Error(`${label} exited ${m.code}:\n${m.output.slice(-4000)}`);
  return m;
}

function checkScrapers(env: E2eEnvironment, pairs: number, notes: string[]): void {
  const active = env.emulator.list().filter((s) => s.status.statusCode === 'ACTIVE').length;
  if (active !== pairs) notes.push(`after the first deploy ${active} of ${pairs} scrapers are ACTIVE`);
}

/** scripts/ci/diff-all.sh (= npm run diff) in the project directory, as CI runs it (synth, then every stack; exit 0 no changes, 2 changes). */
function diffAllArgs(): { command: string; args: string[]; env: NodeJS.ProcessEnv; ok: number[] } {
  return { command: path.join(ROOT, 'scripts', 'ci', 'diff-all.sh'), args: [], env: {}, ok: [0, 2] };
}

/** `npm run deploy -- --auto-approve`: the documented deploy (bounded parallelism, clean logs; offline it adds --skip-provider-lock). */
const NPM_DEPLOY = [process.execPath, '-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'cdktf.ts'), 'deploy', '--auto-approve'];

async function runAmpXa(pairs: number, sourceAccounts: number, preflightRuns: number | undefined): Promise<SideResult & { stacks: number }> {
  const { env } = await prepare(pairs, sourceAccounts);
  try {
    const detail: string[] = [];
    const notes: string[] = [];
    const dir = env.workDir;
    const e = env.baseEnv;
    const synth = await step(detail, 'cdktf synth', CDKTF, ['synth'], dir, e);
    const stackNames = Object.keys(JSON.parse(readFileSync(path.join(dir, 'cdktf.out', 'manifest.json'), 'utf8')).stacks);
    const lock = await step(detail, 'scripts/lock-providers.sh', path.join(ROOT, 'scripts', 'lock-providers.sh'), [path.join(dir, 'cdktf.out')], dir, e);
    const [node, ...deployArgs] = NPM_DEPLOY;
    const first = await step(detail, 'npm run deploy (first)', node, deployArgs, dir, e);
    checkScrapers(env, pairs, notes);
    const again = await step(detail, 'npm run deploy (no change)', node, deployArgs, dir, e);
    if (/Resources: [1-9]\d* added|[1-9]\d* changed|[1-9]\d* destroyed/.test(again.output)) notes.push('the second cdktf deploy changed something');
    if (preflightRuns) {
      for (const stack of stackNames.filter((s) => s.endsWith('-scrapers'))) {
        const cost = await preflightCost(path.join(dir, 'cdktf.out', 'stacks', stack), e, preflightRuns);
        const added = ((cost.seconds.with / cost.seconds.without - 1) * 100).toFixed(0);
        detail.push(
          `    ${`terraform plan ${stack}, no change`.padEnd(44)} with preflight ${cost.seconds.with.toFixed(1)} s, without ${cost.seconds.without.toFixed(1)} s (medians of ${preflightRuns}): ${added}% (peak PSS ${cost.with.peakPssMb.toFixed(0)} / ${cost.without.peakPssMb.toFixed(0)} MB)`,
        );
      }
    }
    const diff = diffAllArgs();
    const planAll = await step(detail, 'scripts/ci/diff-all.sh', diff.command, diff.args, dir, { ...e, ...diff.env }, diff.ok);
    if (planAll.code !== 0) notes.push(`diff-all exited ${planAll.code} (changes pending) after deploying`);
    return {
      steps: { 'first deploy': combine([synth, lock, first]), 'no-change deploy': again, 'plan-all': planAll },
      detail,
      notes,
      stacks: stackNames.length,
    };
  } finally {
    await release(env);
  }
}

async function runPlain(pairs: number, sourceAccounts: number): Promise<SideResult> {
  const { env, config } = await prepare(pairs, sourceAccounts);
  try {
    const detail: string[] = [];
    const notes: string[] = [];
    const dir = path.join(env.workDir, 'plain');
    writePlainRoot(parseFleetConfig(config, env.workDir, 'generated fleet'), dir);
    const e = env.baseEnv;
    const init = await step(detail, 'terraform init', 'terraform', ['init', '-input=false', '-no-color'], dir, e);
    const first = await step(detail, 'terraform apply (first)', 'terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], dir, e);
    checkScrapers(env, pairs, notes);
    const again = await step(detail, 'terraform apply (no change)', 'terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], dir, e);
    if (!/No changes\./.test(again.output)) notes.push('the second terraform apply changed something');
    const plan = await step(detail, 'terraform plan', 'terraform', ['plan', '-input=false', '-no-color'], dir, e);
    if (!/No changes\./.test(plan.output)) notes.push('terraform plan planned changes after applying');
    return { steps: { 'first deploy': combine([init, first]), 'no-change deploy': again, 'plan-all': plan }, detail, notes };
  } finally {
    await release(env);
  }
}

function cell(ours: number, anchor: number, digits: number): string {
  const ratio = anchor > 0 ? `${(ours / anchor).toFixed(2)}x` : '-';
  return `${ours.toFixed(digits)} / ${anchor.toFixed(digits)} = ${ratio}`.padStart(24);
}

function printTable(pairs: number, sourceAccounts: number, amp: SideResult & { stacks: number }, plain: SideResult): void {
  console.log(`\nfleet of ${pairs} pairs: ${sourceAccounts} source account(s) + 1 target account; amp-xa ${amp.stacks} stacks, plain Terraform 1 root`);
  console.log(`  cells: amp-xa / plain Terraform = ratio to the anchor`);
  console.log(
    [
      '  step'.padEnd(20),
      'wall s'.padStart(24),
      'peak PSS MB'.padStart(24),
      'peak processes'.padStart(24),
      'peak terraform procs'.padStart(24),
      'peak provider procs'.padStart(24),
    ].join(''),
  );
  for (const s of STEPS) {
    const a = amp.steps[s];
    const p = plain.steps[s];
    console.log(
      [
        `  ${s}`.padEnd(20),
        cell(a.seconds, p.seconds, 1),
        cell(a.peakPssMb, p.peakPssMb, 0),
        cell(a.peakProcs, p.peakProcs, 0),
        cell(a.peakTerraform, p.peakTerraform, 0),
        cell(a.peakProviders, p.peakProviders, 0),
      ].join(''),
    );
  }
  console.log('  commands (wall, peak PSS, processes):\n  amp-xa');
  for (const line of amp.detail) console.log(line);
  console.log('  plain Terraform');
  for (const line of plain.detail) console.log(line);
  for (const s of STEPS) {
    for (const [side, result] of [
      ['amp-xa', amp],
      ['plain Terraform', plain],
    ] as const) {
      console.log(`  where the time went: ${s}, ${side} (processes by kind, in the order they started)`);
      for (const line of timeline(result.steps[s])) console.log(`    ${line}`);
    }
  }
  for (const note of [...amp.notes.map((n) => `amp-xa: ${n}`), ...plain.notes.map((n) => `plain: ${n}`)]) console.log(`  note: ${note}`);
}

async function cleanup(): Promise<void> {
  stopAll();
  await Promise.allSettled([...environments].map((env) => release(env)));
}

async function main(): Promise<void> {
  if (asksForHelp(process.argv.slice(2))) {
    console.log(`${USAGE}
  Deploys generated fleets (default 10, 20 and 50 pairs) against moto + the AMP scraper emulator, beside a plain
  Terraform root of the same fleet, and prints the times and peak memory of each step. Needs moto_server and terraform.`);
    return;
  }
  const { sizes, sourceAccounts, preflightCost: withPreflightCost, preflightRuns } = parseOptions(process.argv.slice(2));
  const interrupted = (signal: string) => {
    console.error(`\nbench:deploy: ${signal}, stopping everything it started`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', () => interrupted('SIGINT'));
  process.on('SIGTERM', () => interrupted('SIGTERM'));
  process.env.CHECKPOINT_DISABLE = '1';
  console.log(`amp-xa deploy benchmark: ${cpus().length} cores, node ${process.version}; moto + scraper emulator; peaks sampled every ${SAMPLE_MS} ms`);
  console.log(
    'first deploy = cdktf synth + lock-providers.sh + npm run deploy (amp-xa) vs terraform init + apply (plain); plan-all = diff-all.sh vs terraform plan',
  );
  for (const pairs of sizes) {
    const accounts = Math.min(pairs, sourceAccounts ?? defaultSourceAccounts(pairs));
    console.error(`bench:deploy: ${pairs} pairs over ${accounts} source account(s): plain Terraform ...`);
    const plain = await runPlain(pairs, accounts);
    console.error(`bench:deploy: ${pairs} pairs: amp-xa ...`);
    const amp = await runAmpXa(pairs, accounts, withPreflightCost ? preflightRuns : undefined);
    printTable(pairs, accounts, amp, plain);
  }
}

main()
  .catch(async (e) => {
    console.error(`bench:deploy: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  })
  .finally(cleanup);
