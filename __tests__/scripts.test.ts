/** Scripts' options: the benchmark's inputs (generated fleets are valid configs, bad options stop it), the cdktf wrapper. */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import { tmpdir } from 'os';
import * as path from 'path';
import { parseOptions as parseBenchOptions } from '../scripts/bench';
import { planFirstVerdict } from '../lib/deploy/plan-first';
import { invocation } from '../scripts/cdktf';
import { generateFleet } from '../scripts/generate-fleet';
import { plan } from './support/fleet';

const ROOT = path.join(__dirname, '..');
const script = (name: string, args: string[], env?: NodeJS.ProcessEnv, cwd?: string) =>
  spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', name), ...args], { encoding: 'utf8', env, cwd });

const perSourceAccount = (config: unknown) => {
  const counts = new Map<string, number>();
  for (const p of plan(config).pairs) counts.set(p.source.id, (counts.get(p.source.id) ?? 0) + 1);
  return [...counts.values()];
};

test('generated fleets pass the config checks, at most 10 scrapers per source account by default', () => {
  expect(plan(generateFleet(25)).pairs).toHaveLength(25);
  expect(perSourceAccount(generateFleet(25))).toEqual([9, 8, 8]);
  expect(perSourceAccount(generateFleet(100))).toEqual(Array(10).fill(10));
});

test('the number of source accounts is an option; pairs spread evenly over exactly that many', () => {
  expect(perSourceAccount(generateFleet(20, { sourceAccounts: 2 }))).toEqual([10, 10]);
  expect(perSourceAccount(generateFleet(10, { sourceAccounts: 6 }))).toEqual([2, 2, 1, 2, 2, 1]);
  expect(perSourceAccount(generateFleet(3, { sourceAccounts: 5 }))).toEqual([1, 1, 1]);
  const arn = 'arn:aws:aps:eu-west-1:900000000000:workspace/ws-abc';
  expect(plan(generateFleet(4, { workspaceArns: [arn] })).pairs.every((p) => p.workspace.kind === 'existing' && p.workspace.arn === arn)).toBe(true);
});

test.each([
  ['bench.ts', ['--runs', 'x'], /^bench: --runs takes whole numbers of at least 1, got "x"$/m],
  ['bench.ts', ['--pairs', '10,0'], /^bench: --pairs takes whole numbers of at least 1, got "0"$/m],
  ['bench.ts', ['--only', 'nope'], /^bench: --only takes synth or tests, got "nope"$/m],
  ['generate-fleet.ts', ['abc'], /^generate-fleet: the pair count must be a whole number of at least 1, got "abc"$/m],
  ['generate-fleet.ts', ['10', '--source-accounts', '0'], /^generate-fleet: --source-accounts must be a whole number of at least 1, got "0"$/m],
  ['generate-fleet.ts', ['10', '--accounts', '2'], /^generate-fleet: unknown option --accounts;/m],
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
    expect(invocation('deploy', ['--outputs-file', 'out.json'], { AMP_XA_CONCURRENCY: '2' }, tty).args).toEqual([
      'deploy',
      '*',
      '--outputs-file',
      'out.json',
      '--parallelism',
      '2',
    ]);
    expect(invocation('deploy', ['--parallelism=7'], {}, tty).args).toEqual(['deploy', '*', '--parallelism=7']);
    expect(invocation('destroy', ['--concurrency=1'], { AMP_XA_PROVIDER_MIRROR: '/opt/mirror' }, tty).args).toEqual([
      'destroy',
      '*',
      '--parallelism',
      '1',
      '--skip-provider-lock',
    ]);
  });

  test('deploy plans every stack first only where a no-change plan of all of them says what the deploy would do', () => {
    const planFirst = (argv: string[], command = 'deploy') => invocation(command, argv, {}, tty).planFirst;
    expect(planFirst([])).toBe(true);
    expect(planFirst(['*', '--auto-approve', '-j', '2', '--parallelism=3', '--skip-provider-lock', '--no-color'])).toBe(true);
    // A subset of stacks, vars, a refresh-only or outputs file: cdktf's own deploy, as asked.
    expect(planFirst(['a-scrapers'])).toBe(false);
    expect(planFirst(['--var', 'x=1'])).toBe(false);
    expect(planFirst(['--refresh-only'])).toBe(false);
    expect(planFirst(['--outputs-file', 'out.json'])).toBe(false);
    expect(planFirst(['--auto-approve'], 'destroy')).toBe(false);
    // Asked not to: and the flag is amp-xa's, never passed on to cdktf.
    expect(planFirst(['--no-plan-first'])).toBe(false);
    expect(invocation('deploy', ['--no-plan-first', '--auto-approve'], {}, tty).args).not.toContain('--no-plan-first');
    // Arguments only the apply gets (a -replace): the plans would not show what it does.
    expect(invocation('deploy', [], { TF_CLI_ARGS_apply: '-replace=aws_iam_role.x' }, tty).planFirst).toBe(false);
    expect(invocation('deploy', [], { TF_CLI_ARGS_plan: '-lock-timeout=5m' }, tty).planFirst).toBe(true);
  });

  test('plan-first: nothing to deploy only when every stack planned no changes', () => {
    const plan = (name: string, result: 'changes' | 'no-changes' | 'error') => ({
      name,
      dependencies: [],
      result,
      planExitCode: 0,
      errors: [],
      log: '',
      plan: null,
      seconds: 1,
    });
    expect(planFirstVerdict([plan('a-scrapers', 'no-changes'), plan('a-trust', 'no-changes')])).toEqual({
      result: 'no-changes',
      stacks: ['a-scrapers', 'a-trust'],
    });
    expect(planFirstVerdict([plan('a-scrapers', 'no-changes'), plan('a-trust', 'changes')])).toEqual({
      result: 'deploy',
      why: 'changes in a-trust',
      synthesized: true,
    });
    expect(planFirstVerdict([plan('a-scrapers', 'error'), plan('a-trust', 'changes')])).toEqual({
      result: 'deploy',
      why: 'the plan of a-scrapers failed (cdktf deploy shows why)',
      synthesized: true,
    });
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
    expect(env).toMatchObject({
      CI: 'true',
      FORCE_COLOR: '0',
      NODE_OPTIONS: '--enable-source-maps --disable-warning=MaxListenersExceededWarning --max-old-space-size=4096',
    });
    const onTerminal = invocation('deploy', [], {}, tty);
    expect(onTerminal.args).not.toContain('--no-color');
    expect(onTerminal.env.CI).toBeUndefined();
    expect(invocation('synth', [], { NODE_OPTIONS: '--max-old-space-size=8192' }, tty).env.NODE_OPTIONS).toBe(
      '--max-old-space-size=8192 --disable-warning=MaxListenersExceededWarning',
    );
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
      const ran = script('cdktf.ts', ['deploy', '--auto-approve', '--no-plan-first'], env);
      expect({ status: ran.status, stdout: ran.stdout }).toEqual({
        status: 0,
        stdout: 'cdktf deploy * --auto-approve --parallelism 2 --no-color CI=true FORCE_COLOR=0\n',
      });
      // Planning first, the app is synthesized first; here it cannot be (no manifest): cdktf deploy synthesizes.
      // In an empty directory: the project's own cdktf.out may hold a synthesized app.
      const planned = script('cdktf.ts', ['deploy', '--auto-approve'], env, dir);
      expect({ status: planned.status, stdout: planned.stdout.replace(/\(.*\)/, '(...)') }).toEqual({
        status: 0,
        stdout:
          'cdktf synth --output cdktf.out CI=true FORCE_COLOR=0\n' +
          'amp-xa: the synthesized app cannot be read (...): deploying with cdktf\n' +
          'cdktf deploy * --auto-approve --parallelism 2 --no-color CI=true FORCE_COLOR=0\n',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('a cdktf deploy of every stack that succeeds stamps each stack cdktf initialized; a failed one stamps none', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-cdktf-'));
  try {
    const fake = path.join(dir, 'cdktf');
    // As cdktf deploy leaves it: the synthesized app, and .terraform in each stack it initialized.
    writeFileSync(
      fake,
      `#!/bin/sh\nmkdir -p cdktf.out/stacks/s/.terraform\necho '{"terraform":{}}' > cdktf.out/stacks/s/cdk.tf.json\n` +
        `echo '{"stacks":{"s":{"name":"s","workingDirectory":"stacks/s","synthesizedStackPath":"stacks/s/cdk.tf.json"}}}' > cdktf.out/manifest.json\nexit $FAKE_EXIT\n`,
      { mode: 0o755 },
    );
    const stamp = path.join(dir, 'cdktf.out', 'stacks', 's', '.terraform', 'amp-xa-init.sha256');
    const env = { PATH: process.env.PATH, CDKTF: fake, AMP_XA_CONCURRENCY: '2' };
    expect(script('cdktf.ts', ['deploy', '--auto-approve', '--no-plan-first'], { ...env, FAKE_EXIT: '1' }, dir).status).toBe(1);
    expect(existsSync(stamp)).toBe(false);
    expect(script('cdktf.ts', ['deploy', 'a-stack', '--auto-approve'], { ...env, FAKE_EXIT: '0' }, dir).status).toBe(0);
    expect(existsSync(stamp)).toBe(false);
    expect(script('cdktf.ts', ['deploy', '--auto-approve', '--no-plan-first'], { ...env, FAKE_EXIT: '0' }, dir).status).toBe(0);
    expect(readFileSync(stamp, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('off a terminal, the last frame of cdktf progress line is dropped, everything else kept as written', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-cdktf-'));
  try {
    const fake = path.join(dir, 'cdktf');
    const lines = [
      'workload-scrapers  Error: failed to get shared config profile, workload',
      '',
      '1 Stack deploying     1 Stack done     3 Stacks waiting',
      '12 Stacks destroying     0 Stacks done     1 Stack waiting',
      'a line that mentions 1 Stack done in passing',
      'Invoking Terraform CLI failed with exit code 1 ✓',
    ];
    writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')}\nprintf 'no newline at the end'\nexit 3\n`, { mode: 0o755 });
    const r = script('cdktf.ts', ['deploy', '--auto-approve', '--no-plan-first'], { PATH: process.env.PATH, CDKTF: fake });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 3, stderr: '' });
    expect(r.stdout).toBe(`${[lines[0], lines[1], lines[4], lines[5]].join('\n')}\nno newline at the end`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an invalid config is said once, before cdktf runs (cdktf would print it twice: streamed and in its error block)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-cdktf-'));
  try {
    const fake = path.join(dir, 'cdktf');
    writeFileSync(fake, '#!/bin/sh\necho "cdktf ran"\n', { mode: 0o755 });
    const config = path.join(dir, 'fleet.json');
    writeFileSync(config, JSON.stringify({ ...JSON.parse(readFileSync(path.join(ROOT, 'examples', 'single-pair.json'), 'utf8')), pairs: 'none' }));
    for (const command of ['synth', 'deploy', 'destroy']) {
      const r = script('cdktf.ts', [command, '--auto-approve'].slice(0, command === 'synth' ? 1 : 2), {
        PATH: process.env.PATH,
        CDKTF: fake,
        AMP_XA_CONFIG: config,
      });
      expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: '' });
      expect(r.stderr).toMatch(/^invalid amp-xa config .*fleet\.json:\n {2}- pairs: /);
      expect(r.stderr.split('- pairs:')).toHaveLength(2);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('offline Terraform and provider locks', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const sh = (name: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(path.join(ROOT, 'scripts', name), args, { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });

  /** A synthesized app: stack name -> required_providers. */
  function app(stacks: Record<string, Record<string, { source: string; version: string }>>) {
    const manifest: Record<string, unknown> = {};
    for (const [name, providers] of Object.entries(stacks)) {
      mkdirSync(path.join(dir, 'out', 'stacks', name), { recursive: true });
      writeFileSync(path.join(dir, 'out', 'stacks', name, 'cdk.tf.json'), JSON.stringify({ terraform: { required_providers: providers } }));
      manifest[name] = { name, workingDirectory: `stacks/${name}`, synthesizedStackPath: `stacks/${name}/cdk.tf.json` };
    }
    writeFileSync(path.join(dir, 'out', 'manifest.json'), JSON.stringify({ stacks: manifest }));
  }
  const AWS = { aws: { source: 'aws', version: '5.100.0' } };
  const NULL = { null: { source: 'hashicorp/null', version: '3.2.4' } };
  const committedLock = () => readFileSync(path.join(ROOT, '.terraform.lock.hcl'), 'utf8');

  test('offline-terraform: the CLI config in the given directory, else a new temp directory; no plugin cache', () => {
    const env = { AMP_XA_PROVIDER_MIRROR: path.join(dir, 'mirror'), TMPDIR: dir };
    const given = sh('offline-terraform.sh', [path.join(dir, 'given')], env);
    expect(given.stdout).toBe(
      `export TF_CLI_CONFIG_FILE='${path.join(dir, 'given', 'terraformrc')}'\nexport AMP_XA_PROVIDER_MIRROR='${env.AMP_XA_PROVIDER_MIRROR}'\nexport CHECKPOINT_DISABLE=1\nexport CDKTF_DISABLE_PLUGIN_CACHE_ENV=true\n`,
    );
    expect(readdirSync(path.join(dir, 'given'))).toEqual(['terraformrc']);
    const first = /TF_CLI_CONFIG_FILE='([^']+)'/.exec(sh('offline-terraform.sh', [], env).stdout)![1];
    const second = /TF_CLI_CONFIG_FILE='([^']+)'/.exec(sh('offline-terraform.sh', [], env).stdout)![1];
    expect(first).not.toBe(second);
    for (const file of [first, second]) {
      expect(path.dirname(path.dirname(file))).toBe(dir);
      expect(readdirSync(path.dirname(file))).toEqual(['terraformrc']);
      expect(readFileSync(file, 'utf8')).toMatch(`path    = "${env.AMP_XA_PROVIDER_MIRROR}"`);
    }
  });

  test('lock-providers copies the committed lock file into every stack of the manifest when it pins what they need', () => {
    app({ 'a-scrapers': AWS, 'a-trust': AWS });
    const r = sh('lock-providers.sh', ['out']);
    expect({ code: r.status, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`lock-providers: hashicorp/aws 5.100.0 pinned by ${path.join(ROOT, '.terraform.lock.hcl')}, copied into 2 stacks\n`);
    for (const stack of ['a-scrapers', 'a-trust'])
      expect(readFileSync(path.join(dir, 'out', 'stacks', stack, '.terraform.lock.hcl'), 'utf8')).toBe(committedLock());
  });

  test('a provider the lock file lacks stops it, naming the provider and the stacks that need it', () => {
    app({ 'a-scrapers': AWS, 'a-trust': { ...AWS, ...NULL } });
    const r = sh('lock-providers.sh', ['out']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^lock-providers: \.terraform\.lock\.hcl does not pin hashicorp\/null 3\.2\.4 \(needed by a-trust\)$/m);
    expect(r.stderr).toMatch(/the default terraform_data needs no provider/);
    expect(readdirSync(path.join(dir, 'out', 'stacks', 'a-trust'))).toEqual(['cdk.tf.json']);
  });

  test('a version other than the pinned one stops it', () => {
    app({ 'a-scrapers': { aws: { source: 'hashicorp/aws', version: '6.0.0' } } });
    const r = sh('lock-providers.sh', ['out']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^lock-providers: \.terraform\.lock\.hcl pins registry\.terraform\.io\/hashicorp\/aws 5\.100\.0, but a-scrapers need 6\.0\.0$/m);
  });

  test('--update: a provider the mirror lacks stops it before the lock file is touched', () => {
    mkdirSync(path.join(dir, 'mirror', 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0'), { recursive: true });
    app({ 'a-scrapers': AWS, 'a-trust': { ...AWS, ...NULL } });
    const before = committedLock();
    const r = sh('lock-providers.sh', ['--update', 'out'], { AMP_XA_PROVIDER_MIRROR: path.join(dir, 'mirror') });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^lock-providers: the mirror ${path.join(dir, 'mirror')} has no hashicorp/null 3\\.2\\.4 \\(needed by a-trust\\)$`, 'm'),
    );
    expect(r.stderr).not.toMatch(/aws/);
    expect(committedLock()).toBe(before);
  });

  test('no synthesized app: says to synth first', () => {
    const r = sh('lock-providers.sh', ['out']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('lock-providers: no synthesized app in out; run cdktf synth first\n');
  });
});
