/**
 * `npm run bench`: whole-process median wall time and peak memory (RSS summed over the process tree,
 * sampled from /proc) for synth of an empty cdktf app (the baseline), the example config, generated
 * fleets of 10, 100 and 500 pairs, the same 250 pairs over 25 and over 250 source accounts (synth must stay linear in
 * the accounts: each stack gets providers only for the accounts it reaches), and the unit test suite. Prints figures;
 * asserts nothing.
 * Options (`--name value` or `--name=value`): --runs N (default 5; the test suite runs max(2, N/2) times),
 * --pairs 10,100,500, --only synth|tests (default both; the baseline always runs). Others are refused.
 */
import { spawn } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { cpus, tmpdir } from 'os';
import * as path from 'path';
import { asksForHelp } from '../lib/cli-options';
import { generateFleet } from './generate-fleet';

const ROOT = path.join(__dirname, '..');
const REGISTER = path.join(ROOT, 'scripts', 'register.js');

interface Measurement {
  seconds: number;
  peakMb: number;
}

export class BenchOptionError extends Error {}

export interface BenchOptions {
  runs: number;
  sizes: number[];
  only: 'all' | 'synth' | 'tests';
}

/** A command-line number, or an error naming the option, the value and what is allowed. */
function positiveInteger(option: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new BenchOptionError(`bench: --${option} takes whole numbers of at least 1, got ${JSON.stringify(text)}`);
  return n;
}

/** `--name value` and `--name=value` for --runs, --pairs, --only; anything else is refused by name. */
export function parseOptions(argv: string[]): BenchOptions {
  const given: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(runs|pairs|only)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new BenchOptionError(`bench: unknown option ${JSON.stringify(argv[i])}; options: --runs N, --pairs N,N,..., --only synth|tests`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new BenchOptionError(`bench: --${m[1]} needs a value`);
    given[m[1]] = value;
  }
  const only = given.only ?? 'all';
  if (only !== 'all' && only !== 'synth' && only !== 'tests') throw new BenchOptionError(`bench: --only takes synth or tests, got ${JSON.stringify(only)}`);
  return {
    runs: positiveInteger('runs', given.runs ?? '5'),
    sizes: (given.pairs ?? '10,100,500')
      .split(',')
      .filter(Boolean)
      .map((n) => positiveInteger('pairs', n)),
    only,
  };
}

/** RSS in kB of `pid` and all its descendants right now. */
function treeRssKb(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid)!.push(Number(entry));
    } catch {
      /* process ended */
    }
  }
  let total = 0;
  const queue = [root];
  while (queue.length) {
    const pid = queue.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += m ? Number(m[1]) : 0;
    } catch {
      /* process ended */
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}

function measure(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let peak = 0;
    const sample = () => (peak = Math.max(peak, treeRssKb(child.pid!)));
    const timer = setInterval(sample, 20);
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      clearInterval(timer);
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`));
      else resolve({ seconds, peakMb: peak / 1024 });
    });
    sample();
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bench(name: string, runs: number, command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  await measure(command, args, env); // warm the transpile cache and the file system cache
  const results: Measurement[] = [];
  for (let i = 0; i < runs; i++) results.push(await measure(command, args, env));
  return { name, seconds: median(results.map((r) => r.seconds)), peakMb: Math.max(...results.map((r) => r.peakMb)), runs };
}

export const USAGE = `usage: npm run bench -- [--runs N] [--pairs 10,100,500] [--only synth|tests]
  Median wall time and peak memory of synth (an empty cdktf app, the example config, generated fleets of each
  --pairs size) and of the unit test suite. Prints figures; asserts nothing. --runs default 5.`;

async function main() {
  if (asksForHelp(process.argv.slice(2))) {
    console.log(USAGE);
    return;
  }
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof BenchOptionError)) throw e;
    console.error(e.message);
    process.exit(2);
  }
  const { runs, sizes, only } = options;
  const work = mkdtempSync(path.join(tmpdir(), 'amp-xa-bench-'));
  const synth = (configPath?: string) => ({ CDKTF_OUTDIR: path.join(work, 'out'), ...(configPath ? { AMP_XA_CONFIG: configPath } : {}) });
  const node = process.execPath;
  const rows = [];
  const ratios: string[] = [];
  try {
    rows.push(await bench('empty cdktf app (baseline)', runs, node, ['-r', REGISTER, path.join('scripts', 'empty-app.ts')], synth()));
    if (only !== 'tests') rows.push(await bench('example config (1 pair)', runs, node, ['-r', REGISTER, 'main.ts'], { ...synth(), AMP_XA_CONFIG: '' }));
    for (const n of only === 'tests' ? [] : sizes) {
      const file = path.join(work, `fleet-${n}.json`);
      writeFileSync(file, JSON.stringify(generateFleet(n)));
      rows.push({
        ...(await bench(`fleet of ${n} pairs`, n >= 500 ? Math.max(1, Math.ceil(runs / 2)) : runs, node, ['-r', REGISTER, 'main.ts'], synth(file))),
        pairs: n,
      });
    }
    if (only !== 'tests') {
      const accountScale = [];
      for (const sourceAccounts of [25, 250]) {
        const file = path.join(work, `fleet-250-over-${sourceAccounts}.json`);
        writeFileSync(file, JSON.stringify(generateFleet(250, { sourceAccounts })));
        accountScale.push({ ...(await bench(`250 pairs / ${sourceAccounts} accounts`, runs, node, ['-r', REGISTER, 'main.ts'], synth(file))), pairs: 250 });
      }
      rows.push(...accountScale);
      ratios.push(`250 pairs over 250 source accounts / over 25: ${(accountScale[1].seconds / accountScale[0].seconds).toFixed(2)}x (target: within 2x)`);
    }
    if (only !== 'synth')
      rows.push(
        await bench(
          'unit test suite (jest)',
          Math.max(2, Math.ceil(runs / 2)),
          node,
          [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--silent'],
          {},
        ),
      );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const baseline = rows[0];
  console.log(`amp-xa bench on ${cpus().length} cores, node ${process.version}; median of N runs, peak RSS of the process tree\n`);
  console.log(['case'.padEnd(30), 'runs', 'median s'.padStart(9), 'x baseline'.padStart(11), 'peak MB'.padStart(8), 'ms/pair'.padStart(8)].join('  '));
  for (const r of rows) {
    const perPair = 'pairs' in r ? ((r.seconds - baseline.seconds) * 1000) / (r as { pairs: number }).pairs : undefined;
    console.log(
      [
        r.name.padEnd(30),
        String(r.runs).padStart(4),
        r.seconds.toFixed(2).padStart(9),
        (r.seconds / baseline.seconds).toFixed(2).padStart(11),
        r.peakMb.toFixed(0).padStart(8),
        (perPair === undefined ? '' : perPair.toFixed(1)).padStart(8),
      ].join('  '),
    );
  }
  for (const line of ratios) console.log(`\n${line}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
