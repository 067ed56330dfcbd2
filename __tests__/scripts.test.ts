/** Scripts' options: the benchmark's inputs (generated fleets are valid configs, bad options stop it), the cdktf wrapper. */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import { tmpdir } from 'os';
import * as path from 'path';
import { parseOptions as parseBenchOptions } from '../scripts/bench';
import { invocation } from '../scripts/cdktf';
import { generateFleet } from '../scripts/generate-fleet';
import { plan } from './support/fleet';

const ROOT = path.join(__dirname, '..');
const script = (name: string, args: string[], env?: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', name), ...args], { encoding: 'utf8', env });

test('generated fleets pass the config checks, at most 10 scrapers per source account', () => {
  const fleet = plan(generateFleet(25));
  expect(fleet.pairs).toHaveLength(25);
  const perAccount = new Map<string, number>();
  for (const p of fleet.pairs) perAccount.set(p.source.id, (perAccount.get(p.source.id) ?? 0) + 1);
  expect(Math.max(...perAccount.values())).toBe(10);
});

test.each([
  ['bench.ts', ['--runs', 'x'], /^bench: --runs takes whole numbers of at least 1, got "x"$/m],
  ['bench.ts', ['--pairs', '10,0'], /^bench: --pairs takes whole numbers of at least 1, got "0"$/m],
  ['bench.ts', ['--only', 'nope'], /^bench: --only takes synth or tests, got "nope"$/m],
  ['generate-fleet.ts', ['abc'], /^generate-fleet: the pair count must be a whole number of at least 1, got "abc"$/m],
])('%s %p is refused with a message naming the option', (name, args, message) => {
  const r = script(name, args);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(message);
});

describe('bench options', () => {
  test('--runs N and --runs=N, --pairs, --only', () => {
    expect(parseBenchOptions([])).toEqual({ runs: 5, sizes: [10, 100, 500], only: 'all' });
    expect(parseBenchOptions(['--runs=1'])).toEqual({ runs: 1, sizes: [10, 100, 500], only: 'all' });
    expect(parseBenchOptions(['--runs', '9', '--pairs=10,20', '--only', 'synth'])).toEqual({ runs: 9, sizes: [10, 20], only: 'synth' });
  });

  test.each([
    [['--runs=x'], /^bench: --runs takes whole numbers of at least 1, got "x"$/],
    [['--run', '3'], /^bench: unknown option "--run"; options: --runs N/],
    [['3'], /^bench: unknown option "3"/],
    [['--runs'], /^bench: --runs needs a value$/],
  ])('%p is refused naming the option', (argv, message) => {
    expect(() => parseBenchOptions(argv)).toThrow(message);
  });

  test('the script refuses an unknown option before measuring anything', () => {
    const r = script('bench.ts', ['--runs=1', '--fast']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^bench: unknown option "--fast"/m);
  });
});

describe('npm run synth|deploy|destroy (scripts/cdktf.ts)', () => {
  const tty = { stdin: true, stdout: true };
  const ci = { stdin: false, stdout: false };

  test('deploy: every stack, bounded, with the caller flags after the stacks', () => {
    expect(invocation('deploy', [], {}, tty).args).toEqual(['deploy', '*', '--parallelism', String(os.availableParallelism())]);
    expect(invocation('deploy', ['a-scrapers', 'a-trust', '-j', '3'], {}, tty).args).toEqual(['deploy', 'a-scrapers', 'a-trust', '--parallelism', '3']);
    expect(invocation('deploy', ['--outputs-file', 'out.json'], { AMP_XA_CONCURRENCY: '2' }, tty).args).toEqual(['deploy', '*', '--outputs-file', 'out.json', '--parallelism', '2']);
    expect(invocation('deploy', ['--parallelism=7'], {}, tty).args).toEqual(['deploy', '*', '--parallelism=7']);
    expect(invocation('destroy', ['--concurrency=1'], { AMP_XA_PROVIDER_MIRROR: '/opt/mirror' }, tty).args).toEqual(['destroy', '*', '--parallelism', '1', '--skip-provider-lock']);
  });

  test('no terminal to approve on: refused up front unless --auto-approve', () => {
    expect(() => invocation('deploy', [], {}, ci)).toThrow(
      'cdktf deploy: stdin is not a terminal, so cdktf cannot ask for approval. Review the plan (npm run diff), then run npm run deploy -- --auto-approve to deploy without a prompt.',
    );
    expect(() => invocation('destroy', [], { CI: 'true' }, ci)).toThrow(/npm run destroy -- --auto-approve/);
    expect(invocation('deploy', ['--auto-approve'], {}, ci).args).toContain('--auto-approve');
    expect(invocation('synth', [], {}, ci).args).toEqual(['synth']);
  });

  test('logs without spinner, cursor or colour codes when not on a terminal; no MaxListeners warning', () => {
    const { args, env } = invocation('deploy', ['--auto-approve'], { NODE_OPTIONS: '--enable-source-maps' }, ci);
    expect(args[args.length - 1]).toBe('--no-color');
    expect(env).toMatchObject({ CI: 'true', FORCE_COLOR: '0', NODE_OPTIONS: '--enable-source-maps --disable-warning=MaxListenersExceededWarning --max-old-space-size=4096' });
    const onTerminal = invocation('deploy', [], {}, tty);
    expect(onTerminal.args).not.toContain('--no-color');
    expect(onTerminal.env.CI).toBeUndefined();
    expect(invocation('synth', [], { NODE_OPTIONS: '--max-old-space-size=8192' }, tty).env.NODE_OPTIONS).toBe('--max-old-space-size=8192 --disable-warning=MaxListenersExceededWarning');
  });

  test.each([
    ['deploy', ['-j', '0'], /^cdktf: -j takes a whole number of at least 1, got "0"$/],
    ['deploy', ['--concurrency=many'], /^cdktf: --concurrency takes a whole number of at least 1, got "many"$/],
    ['synth', ['-j', '2'], /^cdktf synth: --concurrency applies to deploy and destroy$/],
    ['plan', [], /^cdktf: expected one of synth, deploy, destroy, got "plan"$/],
  ])('%s %p is refused', (command, argv, message) => {
    expect(() => invocation(command, argv, { AMP_XA_CONCURRENCY: '2' }, tty)).toThrow(message);
  });

  test('the script stops before running cdktf when it cannot ask for approval, and runs it otherwise', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-cdktf-'));
    try {
      const fake = path.join(dir, 'cdktf');
      writeFileSync(fake, '#!/bin/sh\necho "cdktf $* CI=$CI FORCE_COLOR=$FORCE_COLOR"\n', { mode: 0o755 });
      const env = { PATH: process.env.PATH, CDKTF: fake, AMP_XA_CONCURRENCY: '2' };
      const refused = script('cdktf.ts', ['deploy'], env);
      expect({ status: refused.status, stdout: refused.stdout }).toEqual({ status: 1, stdout: '' });
      expect(refused.stderr).toMatch(/^cdktf deploy: stdin is not a terminal/);
      const ran = script('cdktf.ts', ['deploy', '--auto-approve'], env);
      expect({ status: ran.status, stdout: ran.stdout }).toEqual({ status: 0, stdout: 'cdktf deploy * --auto-approve --parallelism 2 --no-color CI=true FORCE_COLOR=0\n' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
