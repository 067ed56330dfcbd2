/**
 * Plans every stack of the synthesized app, concurrently in dependency order, and reports orphaned states.
 *
 *   node -r ./scripts/register.js scripts/ci/plan-all.ts [options]     (npm run diff -- [options]; scripts/ci/diff-all.sh)
 *
 * For each stack of cdktf.out/manifest.json, once the stacks it depends on have been planned, in its
 * directory: `terraform init`, `terraform plan -detailed-exitcode -out`, `terraform show -json` of the plan.
 * At most --concurrency stacks at a time. Terraform is run directly (cdktf diff takes one stack and is slow),
 * so offline runners need TF_CLI_CONFIG_FILE (scripts/offline-terraform.sh) and the lock files
 * scripts/lock-providers.sh copies; `terraform providers lock` is never run.
 *
 * Exit code: 0 = no changes anywhere; 2 = changes pending, or an orphaned state (a state whose stack is no
 * longer in the app: it still holds resources no deploy will touch); 1 = a stack failed to init or plan,
 * synth failed, or bad options. Writes a JSON summary and a Markdown report (PR comment) built from it.
 */
import { spawn } from 'child_process';
import { appendFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findOrphans, stackOfCloudWorkspace, stackOfLocalStateFile, stackOfS3Key, type ExistingState, type OrphanFinding } from '../../lib/orphans';
import type { BackendConfig } from '../../lib/config/schema';

const ROOT = path.join(__dirname, '..', '..');

export interface Options {
  outdir: string;
  concurrency: number;
  summary: string;
  markdown: string;
  logs: string;
  synth: boolean;
  help: boolean;
}

export class UsageError extends Error {}

export const USAGE = `usage: plan-all [options]
  -j, --concurrency N   stacks planned at once (default: AMP_XA_CONCURRENCY, else the number of CPUs)
  -o, --output DIR      synthesized app (default: CDKTF_OUTDIR, else cdktf.out)
  --summary FILE        JSON summary (default: <output>/plan-summary.json)
  --markdown FILE       Markdown report for a PR comment (default: <output>/plan-summary.md)
  --logs DIR            one full log per stack (default: <output>/plan-logs)
  --skip-synth          plan the app already in <output> instead of running cdktf synth first
  --skip-provider-lock  accepted for cdktf compatibility; plan-all never runs terraform providers lock
exit: 0 no changes, 2 changes pending or orphaned state, 1 error`;

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
    help,
  };
}

export interface Counts {
  add: number;
  change: number;
  destroy: number;
  replace: number;
  /** terraform_data / null_resource being created or replaced: each runs its local-exec (phase 2's trust update). */
  finalizerRuns: number;
  outputChanges: number;
  /** Addresses being destroyed or replaced, for reviewers (a replaced scraper loses about 20 minutes of metrics). */
  destroyed: string[];
  replaced: string[];
}

const FINALIZER_TYPES = new Set(['terraform_data', 'null_resource']);

/** Counts a `terraform show -json` plan. A replacement counts once, as replace (not also as add and destroy). */
export function countChanges(plan: any): Counts {
  const counts: Counts = { add: 0, change: 0, destroy: 0, replace: 0, finalizerRuns: 0, outputChanges: 0, destroyed: [], replaced: [] };
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === 'data') continue;
    const actions: string[] = rc.change?.actions ?? [];
    const creates = actions.includes('create');
    if (creates && actions.includes('delete')) {
      counts.replace++;
      counts.replaced.push(rc.address);
    } else if (creates) counts.add++;
    else if (actions.includes('update')) counts.change++;
    else if (actions.includes('delete')) {
      counts.destroy++;
      counts.destroyed.push(rc.address);
    }
    if (creates && FINALIZER_TYPES.has(rc.type)) counts.finalizerRuns++;
  }
  for (const change of Object.values<any>(plan.output_changes ?? {})) {
    const actions: string[] = change?.actions ?? [];
    if (actions.some((a) => a !== 'no-op')) counts.outputChanges++;
  }
  return counts;
}

/** Each Terraform error's summary line, with the object it concerns (`with …`) when given; else the output's last lines. */
export function errorLines(output: string, max = 5): string[] {
  const lines = output.split('\n').map((l) => l.replace(/^[│╷╵]\s?/, '').trimEnd());
  const errors: string[] = [];
  for (let i = 0; i < lines.length && errors.length < max; i++) {
    if (!/^Error: /.test(lines[i])) continue;
    const about = lines.slice(i + 1, i + 5).find((l) => /^\s+with /.test(l));
    const error = about ? `${lines[i]} (${about.trim()})` : lines[i];
    if (!errors.includes(error)) errors.push(error);
  }
  if (errors.length) return errors;
  return lines.filter((l) => l.trim()).slice(-max);
}

export type StackResult = 'no-changes' | 'changes' | 'error';

export interface StackSummary extends Partial<Counts> {
  name: string;
  dependencies: string[];
  result: StackResult;
  /** terraform plan's exit code (0, 2, or an error), or null when init failed or it never ran. */
  planExitCode: number | null;
  errors: string[];
  log: string;
  /** The saved plan (`terraform apply <plan>` applies exactly it), or null. */
  plan: string | null;
  seconds: number;
}

export interface OrphanReport {
  /** False when the backend could not be listed; `note` says why. */
  checked: boolean;
  note?: string;
  findings: OrphanFinding[];
}

export interface Summary {
  version: 1;
  result: 'no-changes' | 'changes' | 'error';
  exitCode: 0 | 1 | 2;
  concurrency: number;
  totals: Counts & { stacks: number; changed: number; failed: number; orphans: number };
  stacks: StackSummary[];
  orphans: OrphanReport;
  /** Set when synth or the manifest failed (then `stacks` is empty). */
  error?: string;
}

/** The exit code contract: any error 1; else changes or orphans holding resources 2; else 0. */
export function exitCodeOf(stacks: StackSummary[], orphans: OrphanReport, error?: string): 0 | 1 | 2 {
  if (error || stacks.some((s) => s.result === 'error')) return 1;
  if (stacks.some((s) => s.result === 'changes') || orphans.findings.some((f) => !f.empty)) return 2;
  return 0;
}

export function summarize(concurrency: number, stacks: StackSummary[], orphans: OrphanReport, error?: string): Summary {
  const exitCode = exitCodeOf(stacks, orphans, error);
  const totals = { add: 0, change: 0, destroy: 0, replace: 0, finalizerRuns: 0, outputChanges: 0, destroyed: [] as string[], replaced: [] as string[] };
  for (const s of stacks) {
    for (const k of ['add', 'change', 'destroy', 'replace', 'finalizerRuns', 'outputChanges'] as const) totals[k] += s[k] ?? 0;
    totals.destroyed.push(...(s.destroyed ?? []).map((a) => `${s.name}: ${a}`));
    totals.replaced.push(...(s.replaced ?? []).map((a) => `${s.name}: ${a}`));
  }
  return {
    version: 1,
    result: exitCode === 1 ? 'error' : exitCode === 2 ? 'changes' : 'no-changes',
    exitCode,
    concurrency,
    totals: {
      ...totals,
      stacks: stacks.length,
      changed: stacks.filter((s) => s.result === 'changes').length,
      failed: stacks.filter((s) => s.result === 'error').length,
      orphans: orphans.findings.filter((f) => !f.empty).length,
    },
    stacks,
    orphans,
    ...(error ? { error } : {}),
  };
}

const MARKER = '<!-- amp-xa plan-all -->';
const code = (text: string) => '`' + text.replace(/`/g, "'") + '`';

/** The PR comment: headline, one row per stack, errors, destroyed/replaced resources, orphans. Under GitHub's 65536 characters. */
export function renderMarkdown(summary: Summary): string {
  const t = summary.totals;
  const headline =
    summary.exitCode === 1
      ? ':x: **amp-xa plan failed**'
      : summary.exitCode === 2
        ? ':warning: **amp-xa plan: changes pending**'
        : ':white_check_mark: **amp-xa plan: no changes**';
  const out = [MARKER, headline, ''];
  if (summary.error) out.push('```', summary.error.slice(0, 4000), '```', '');
  if (summary.stacks.length) {
    out.push(
      `${t.stacks} stacks: ${t.changed} with changes, ${t.failed} failed. ` +
        `${t.add} to add, ${t.change} to change, ${t.replace} to replace, ${t.destroy} to destroy; ${t.finalizerRuns} finalizer run${t.finalizerRuns === 1 ? '' : 's'}.`,
      '',
      '| stack | result | add | change | replace | destroy | finalizer runs |',
      '|---|---|--:|--:|--:|--:|--:|',
    );
    for (const s of summary.stacks) {
      const result = s.result === 'error' ? ':x: error' : s.result === 'changes' ? 'changes' : 'no changes';
      const n = (k: keyof Counts) => (s.result === 'error' ? '' : String(s[k] ?? 0));
      out.push(`| ${code(s.name)} | ${result} | ${n('add')} | ${n('change')} | ${n('replace')} | ${n('destroy')} | ${n('finalizerRuns')} |`);
    }
    out.push('');
  }
  const failed = summary.stacks.filter((s) => s.result === 'error');
  if (failed.length) {
    out.push('#### Errors', '');
    for (const s of failed) out.push(`- ${code(s.name)}:`, ...s.errors.map((e) => `  - ${code(e.slice(0, 300))}`));
    out.push('');
  }
  const gone = [...t.replaced.map((a) => `replace ${a}`), ...t.destroyed.map((a) => `destroy ${a}`)];
  if (gone.length) {
    out.push('#### Replaced or destroyed', '', ...gone.slice(0, 50).map((g) => `- ${code(g)}`));
    if (gone.length > 50) out.push(`- … and ${gone.length - 50} more`);
    out.push('');
  }
  const o = summary.orphans;
  if (o.findings.length) {
    out.push('#### Orphaned states', '', 'States whose stack is no longer in the app; no deploy will touch what they hold.', '');
    for (const f of o.findings.slice(0, 50)) out.push(`- ${code(f.stack)} at ${code(f.location)}: ${f.action}`);
    out.push('');
  }
  if (!o.checked) out.push(`Orphaned states: not checked (${o.note}).`, '');
  out.push('Full plans: the job log, one group per stack.');
  const text = out.join('\n') + '\n';
  return text.length > 60000 ? text.slice(0, 60000) + '\n\n… (truncated; see the job log)\n' : text;
}

// ---------------------------------------------------------------------------------------------------------
// Running

interface Exec {
  code: number;
  stdout: string;
}

/** Runs a command; its output (stdout+stderr, or stderr only with captureStdout) is appended to `log`. */
function exec(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, log: NodeJS.WritableStream, captureStdout = false): Promise<Exec> {
  return new Promise((resolve) => {
    log.write(`$ ${[command, ...args].join(' ')}\n`);
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => (captureStdout ? chunks.push(d) : log.write(d)));
    child.stderr.on('data', (d: Buffer) => log.write(d));
    child.on('error', (e) => {
      log.write(`Error: cannot run ${command}: ${e.message}\n`);
      resolve({ code: 127, stdout: '' });
    });
    child.on('close', (exitCode) => resolve({ code: exitCode ?? 1, stdout: Buffer.concat(chunks).toString('utf8') }));
  });
}

interface ManifestStack {
  name: string;
  dependencies: string[];
  workingDirectory: string;
  synthesizedStackPath: string;
}

export function readManifest(outdir: string): ManifestStack[] {
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  return Object.values<any>(manifest.stacks ?? {}).map((s) => ({
    name: s.name,
    dependencies: s.dependencies ?? [],
    workingDirectory: path.join(outdir, s.workingDirectory),
    synthesizedStackPath: path.join(outdir, s.synthesizedStackPath),
  }));
}

/**
 * Runs `work` for every stack once all of its dependencies (within the set) have finished, at most
 * `concurrency` at a time, starting ready stacks in manifest order. A cycle is reported, not hung on.
 */
export async function inDependencyOrder<T>(
  stacks: ReadonlyArray<{ name: string; dependencies: string[] }>,
  concurrency: number,
  work: (name: string) => Promise<T>,
  onCycle: (names: string[]) => void,
): Promise<void> {
  const names = new Set(stacks.map((s) => s.name));
  const pending = [...stacks];
  const finished = new Set<string>();
  let running = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      for (let i = 0; i < pending.length && running < concurrency;) {
        const stack = pending[i];
        if (stack.dependencies.every((d) => finished.has(d) || !names.has(d))) {
          pending.splice(i, 1);
          running++;
          work(stack.name).finally(() => {
            running--;
            finished.add(stack.name);
            pump();
          });
        } else i++;
      }
      if (running === 0) {
        if (pending.length) onCycle(pending.splice(0).map((s) => s.name));
        resolve();
      }
    };
    pump();
  });
}

async function planStack(stack: ManifestStack, options: Options, terraform: string, env: NodeJS.ProcessEnv): Promise<StackSummary> {
  const started = Date.now();
  const logPath = path.join(options.logs, `${stack.name}.log`);
  const log = createWriteStream(logPath);
  const planFile = 'amp-xa.tfplan';
  const base = { name: stack.name, dependencies: stack.dependencies, log: logPath };
  const done = async (summary: Omit<StackSummary, keyof typeof base | 'seconds'>): Promise<StackSummary> => {
    if (!log.writableEnded) await new Promise((r) => log.end(r));
    return { ...base, ...summary, seconds: Math.round((Date.now() - started) / 100) / 10 };
  };
  const fail = async (planExitCode: number | null) => {
    await new Promise((r) => log.end(r));
    return done({ result: 'error', planExitCode, errors: errorLines(readFileSync(logPath, 'utf8')), plan: null });
  };

  const init = await exec(terraform, ['init', '-input=false', '-no-color'], stack.workingDirectory, env, log);
  if (init.code !== 0) return fail(null);
  const plan = await exec(
    terraform,
    ['plan', '-detailed-exitcode', '-no-color', '-input=false', '-lock=false', `-out=${planFile}`],
    stack.workingDirectory,
    env,
    log,
  );
  if (plan.code !== 0 && plan.code !== 2) return fail(plan.code);
  const show = await exec(terraform, ['show', '-json', '-no-color', planFile], stack.workingDirectory, env, log, true);
  let counts: Counts;
  try {
    if (show.code !== 0) throw new Error(`terraform show exited ${show.code}`);
    counts = countChanges(JSON.parse(show.stdout));
  } catch (e) {
    log.write(`Error: cannot read the saved plan: ${(e as Error).message}\n`);
    return fail(plan.code);
  }
  return done({
    result: plan.code === 2 ? 'changes' : 'no-changes',
    planExitCode: plan.code,
    errors: [],
    plan: path.join(stack.workingDirectory, planFile),
    ...counts,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Orphaned states

/** The app's backend, as synthesized (every stack has the same one), in the config's terms. */
export function backendOfStack(stackJson: any, stackName: string, workingDirectory = '.'): BackendConfig | undefined {
  const tf = stackJson?.terraform ?? {};
  if (tf.backend?.local) {
    // A relative state path is relative to the stack's directory, where Terraform runs.
    return { type: 'local', directory: path.dirname(path.resolve(workingDirectory, tf.backend.local.path ?? `terraform.${stackName}.tfstate`)) };
  }
  if (tf.backend?.s3) {
    const s3 = tf.backend.s3;
    const key: string = s3.key ?? '';
    return {
      type: 's3',
      bucket: s3.bucket,
      region: s3.region,
      keyPrefix: key.endsWith(`/${stackName}.tfstate`) ? key.slice(0, -`/${stackName}.tfstate`.length) : path.posix.dirname(key),
      useLockfile: Boolean(s3.use_lockfile),
      encrypt: s3.encrypt ?? true,
      profile: s3.profile,
      roleArn: s3.assume_role?.role_arn,
      usePathStyle: s3.use_path_style,
    };
  }
  const cloud = tf.cloud;
  if (cloud?.workspaces?.name) {
    const name: string = cloud.workspaces.name;
    return {
      type: 'cloud',
      organization: cloud.organization,
      hostname: cloud.hostname ?? 'app.terraform.io',
      workspacePrefix: name.endsWith(stackName) ? name.slice(0, name.length - stackName.length) : '',
      project: cloud.workspaces.project,
    };
  }
  return undefined;
}

function managedResources(state: any): number {
  return (state?.resources ?? []).filter((r: any) => r.mode !== 'data').length;
}

async function listStates(backend: BackendConfig, env: NodeJS.ProcessEnv): Promise<{ states?: ExistingState[]; note?: string }> {
  switch (backend.type) {
    case 'local': {
      if (!existsSync(backend.directory)) return { states: [] };
      const states: ExistingState[] = [];
      for (const file of readdirSync(backend.directory)) {
        const stack = stackOfLocalStateFile(file);
        if (!stack) continue;
        let resources: number | undefined;
        try {
          resources = managedResources(JSON.parse(readFileSync(path.join(backend.directory, file), 'utf8')));
        } catch {
          /* unreadable: count unknown, reported as holding resources */
        }
        states.push({ stack, resources });
      }
      return { states };
    }
    case 's3': {
      const aws = env.AMP_XA_AWS_CLI || 'aws';
      const common = ['--region', backend.region, ...(backend.profile ? ['--profile', backend.profile] : []), '--output', 'json'];
      let awsEnv = env;
      const sink = createWriteStream(os.devNull); // the CLI's stderr: the note says what failed
      let listing: Exec;
      try {
        if (backend.roleArn) {
          const r = await exec(
            aws,
            ['sts', 'assume-role', '--role-arn', backend.roleArn, '--role-session-name', 'amp-xa-plan-all', ...common],
            '.',
            env,
            sink,
            true,
          );
          if (r.code !== 0) return { note: `cannot assume ${backend.roleArn} to list s3://${backend.bucket}/${backend.keyPrefix}/` };
          const c = JSON.parse(r.stdout).Credentials;
          awsEnv = { ...env, AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken, AWS_PROFILE: '' };
        }
        const args = ['s3api', 'list-objects-v2', '--bucket', backend.bucket, '--prefix', `${backend.keyPrefix}/`, '--query', 'Contents[].Key', ...common];
        listing = await exec(aws, backend.roleArn ? args.filter((a, i) => a !== '--profile' && args[i - 1] !== '--profile') : args, '.', awsEnv, sink, true);
      } finally {
        sink.end();
      }
      if (listing.code !== 0) return { note: `cannot list s3://${backend.bucket}/${backend.keyPrefix}/ with the AWS CLI (exit ${listing.code})` };
      const keys: string[] = JSON.parse(listing.stdout || 'null') ?? [];
      return {
        states: keys
          .map((k) => stackOfS3Key(backend.keyPrefix, k))
          .filter((s): s is string => !!s)
          .map((stack) => ({ stack })),
      };
    }
    case 'cloud': {
      const tokenVar = `TF_TOKEN_${backend.hostname.replace(/-/g, '__').replace(/\./g, '_')}`;
      const token = env[tokenVar];
      if (!token) return { note: `${tokenVar} is not set, so the Terraform Cloud workspaces cannot be listed` };
      if (!backend.workspacePrefix) return { note: 'the workspace prefix is empty, so amp-xa cannot tell its workspaces from others' };
      const states: ExistingState[] = [];
      try {
        for (let page = 1; page;) {
          const url = `https://${backend.hostname}/api/v2/organizations/${encodeURIComponent(backend.organization)}/workspaces?search%5Bname%5D=${encodeURIComponent(backend.workspacePrefix)}&page%5Bsize%5D=100&page%5Bnumber%5D=${page}`;
          const response = await fetch(url, {
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.api+json' },
            signal: AbortSignal.timeout(20_000),
          });
          if (!response.ok) return { note: `the Terraform Cloud API answered ${response.status} listing workspaces of ${backend.organization}` };
          const body: any = await response.json();
          for (const ws of body.data ?? []) {
            const stack = stackOfCloudWorkspace(backend.workspacePrefix, ws.attributes?.name ?? '');
            if (stack) states.push({ stack, resources: typeof ws.attributes?.['resource-count'] === 'number' ? ws.attributes['resource-count'] : undefined });
          }
          page = body.meta?.pagination?.['next-page'] ?? 0;
        }
      } catch (e) {
        return { note: `the Terraform Cloud API is not reachable (${(e as Error).message})` };
      }
      return { states };
    }
  }
}

export async function orphanReport(stacks: ManifestStack[], env: NodeJS.ProcessEnv): Promise<OrphanReport> {
  if (!stacks.length) return { checked: false, note: 'the app has no stacks, so its backend is unknown', findings: [] };
  const backend = backendOfStack(JSON.parse(readFileSync(stacks[0].synthesizedStackPath, 'utf8')), stacks[0].name, stacks[0].workingDirectory);
  if (!backend) return { checked: false, note: 'the stacks have no backend amp-xa knows', findings: [] };
  const { states, note } = await listStates(backend, env);
  if (!states) return { checked: false, note, findings: [] };
  return {
    checked: true,
    findings: findOrphans(
      backend,
      stacks.map((s) => s.name),
      states,
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------

/** The `app` command of the project's cdktf.json: what `cdktf synth` runs. */
function appCommand(): string | undefined {
  try {
    const app = JSON.parse(readFileSync('cdktf.json', 'utf8')).app;
    return typeof app === 'string' && app ? app : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Synthesizes by running the project's app command directly, as `cdktf synth` does, without the seconds of
 * cdktf-cli's own start-up; `CDKTF` (a cdktf command) makes it go through cdktf-cli instead.
 */
function runSynth(options: Options, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  const app = env.CDKTF ? undefined : appCommand();
  const cdktf = env.CDKTF || path.join(ROOT, 'node_modules', '.bin', 'cdktf');
  const [command, ...args] = app ? ['/bin/sh', '-c', app] : [...cdktf.split(' ').filter(Boolean), 'synth', '--output', options.outdir];
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, {
      env: { ...env, CI: 'true', FORCE_COLOR: '0', CDKTF_OUTDIR: path.resolve(options.outdir) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ code: 127, output: `cannot run ${cdktf}: ${e.message}` }));
    child.on('close', (c) => resolve({ code: c ?? 1, output }));
  });
}

function write(summary: Summary, options: Options, env: NodeJS.ProcessEnv): void {
  for (const file of [options.summary, options.markdown]) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(options.summary, JSON.stringify(summary, null, 2) + '\n');
  const markdown = renderMarkdown(summary);
  writeFileSync(options.markdown, markdown);
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdown);
}

export async function planAll(
  options: Options,
  env: NodeJS.ProcessEnv = process.env,
  print: (text: string) => void = (t) => process.stdout.write(t),
): Promise<Summary> {
  const github = env.GITHUB_ACTIONS === 'true';
  if (options.synth) {
    print(`plan-all: cdktf synth\n`);
    const synth = await runSynth(options, env);
    if (synth.code !== 0) {
      const summary = summarize(
        options.concurrency,
        [],
        { checked: false, note: 'synth failed', findings: [] },
        `cdktf synth failed (exit ${synth.code}):\n${synth.output.slice(-4000)}`,
      );
      write(summary, options, env);
      print(`${synth.output}\nplan-all: cdktf synth failed (exit ${synth.code})\n`);
      return summary;
    }
  }
  let stacks: ManifestStack[];
  try {
    stacks = readManifest(options.outdir);
  } catch (e) {
    const summary = summarize(
      options.concurrency,
      [],
      { checked: false, note: 'no manifest', findings: [] },
      `cannot read ${path.join(options.outdir, 'manifest.json')}: ${(e as Error).message}`,
    );
    write(summary, options, env);
    print(`plan-all: ${summary.error}; run cdktf synth first\n`);
    return summary;
  }
  mkdirSync(options.logs, { recursive: true });
  const terraform = env.TERRAFORM_BINARY_NAME || 'terraform';
  const tfEnv: NodeJS.ProcessEnv = { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: env.CHECKPOINT_DISABLE ?? '1' };
  print(`plan-all: ${stacks.length} stack${stacks.length === 1 ? '' : 's'}, ${options.concurrency} at a time, started in dependency order\n`);

  const results = new Map<string, StackSummary>();
  const orphansPromise = orphanReport(stacks, env).catch(
    (e) => ({ checked: false, note: `orphan check failed: ${(e as Error).message}`, findings: [] }) as OrphanReport,
  );
  // A plan reads the other stacks' state, never their plans: a stack need not wait for its dependencies' plans to
  // finish. Stacks start in dependency order (the manifest's), up to the concurrency, and run side by side, so
  // plan-all costs about the slowest stack instead of the longest chain.
  await inDependencyOrder(
    stacks.map((s) => ({ name: s.name, dependencies: [] })),
    options.concurrency,
    async (name) => {
      const stack = stacks.find((s) => s.name === name)!;
      const result = await planStack(stack, options, terraform, tfEnv).catch((e): StackSummary => ({
        name,
        dependencies: stack.dependencies,
        result: 'error',
        planExitCode: null,
        errors: [String(e)],
        log: '',
        plan: null,
        seconds: 0,
      }));
      results.set(name, result);
      const counts =
        result.result === 'error'
          ? `error: ${result.errors[0] ?? ''}`
          : `${result.result === 'changes' ? 'changes' : 'no changes'} (+${result.add} ~${result.change} ±${result.replace} -${result.destroy})`;
      const body = result.log && existsSync(result.log) ? readFileSync(result.log, 'utf8') : '';
      // One write per stack, so concurrent plans never interleave in the job log.
      print(github ? `::group::plan ${name}: ${counts}\n${body}\n::endgroup::\n` : `\n=== plan ${name}: ${counts}\n${body}`);
    },
    (cycle) => {
      for (const name of cycle) {
        results.set(name, {
          name,
          dependencies: stacks.find((s) => s.name === name)!.dependencies,
          result: 'error',
          planExitCode: null,
          errors: [`dependency cycle among ${cycle.join(', ')}`],
          log: '',
          plan: null,
          seconds: 0,
        });
      }
    },
  );
  const orphans = await orphansPromise;
  const summary = summarize(
    options.concurrency,
    stacks.map((s) => results.get(s.name)!),
    orphans,
  );
  write(summary, options, env);

  const lines = ['', `plan-all: ${summary.result} (exit ${summary.exitCode})`];
  for (const s of summary.stacks) {
    lines.push(
      s.result === 'error'
        ? `  ${s.name}: ERROR ${s.errors.join(' | ')} (log: ${s.log})`
        : `  ${s.name}: ${s.result === 'changes' ? `${s.add} to add, ${s.change} to change, ${s.replace} to replace, ${s.destroy} to destroy, ${s.finalizerRuns} finalizer runs` : 'no changes'}`,
    );
  }
  for (const f of orphans.findings) lines.push(`  ${github && !f.empty ? '::warning::' : ''}${f.line}`);
  if (!orphans.checked) lines.push(`  orphaned states not checked: ${orphans.note}`);
  lines.push(`  summary: ${options.summary}, report: ${options.markdown}`);
  print(lines.join('\n') + '\n');
  return summary;
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(e.message);
    return 1; // never 2: a caller reads 2 as "changes pending"
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  return (await planAll(options)).exitCode;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
