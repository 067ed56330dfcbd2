/** CI helpers for real: scripts/ci/save-aws-profile.sh with the AWS CLI, plan-all with Terraform, the cdktf wrapper. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { E2eEnvironment, exampleFleet, run } from './harness';

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'ci', 'save-aws-profile.sh');

test('saves exported OIDC credentials as a profile and blanks them for later steps', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-ci-'));
  try {
    const githubEnv = path.join(dir, 'github-env');
    writeFileSync(githubEnv, '');
    const result = await run(SCRIPT, ['workload'], {
      env: {
        PATH: process.env.PATH,
        AWS_CONFIG_FILE: path.join(dir, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'),
        AWS_ACCESS_KEY_ID: 'ASIAOIDC',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token',
        AWS_REGION: 'eu-west-1',
        GITHUB_ENV: githubEnv,
      },
    });
    expect(result).toEqual({ code: 0, output: 'saved AWS profile workload\n' });
    const credentials = readFileSync(path.join(dir, 'credentials'), 'utf8');
    expect(credentials).toMatch(/\[workload\]\naws_access_key_id = ASIAOIDC\naws_secret_access_key = secret\naws_session_token = token/);
    expect(readFileSync(path.join(dir, 'config'), 'utf8')).toMatch(/\[profile workload\]\nregion = eu-west-1/);
    expect(readFileSync(githubEnv, 'utf8')).toBe('AWS_ACCESS_KEY_ID=\nAWS_SECRET_ACCESS_KEY=\nAWS_SESSION_TOKEN=\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refuses to run before an OIDC step exported credentials', async () => {
  const result = await run(SCRIPT, ['workload'], { env: { PATH: process.env.PATH } });
  expect(result.code).not.toBe(0);
  expect(result.output).toMatch(/no credentials in the environment; run the OIDC step first/);
});

/**
 * scripts/ci/plan-all.ts with real Terraform against moto and the scraper emulator: before anything exists
 * every stack plans (phase 2 without phase 1's state), changes give exit 2, a stack that cannot plan gives 1,
 * and an orphaned local state is reported. Stack names come from the manifest, whatever the layout.
 */
describe('plan-all against the emulator', () => {
  const example = exampleFleet();
  example.finalizer = { resource: 'terraform_data' };
  example.backend = { type: 'local', directory: 'state' };
  const env = new E2eEnvironment(example);
  let stacks: string[] = [];

  beforeAll(async () => {
    await env.start();
    // The preflight reads the workspace and the cluster: they exist, as in a real account.
    await env.provisionWorkspaces(example);
    await env.provisionClusters(example);
    await env.synthAndLock();
    stacks = Object.keys(JSON.parse(readFileSync(path.join(env.workDir, 'cdktf.out', 'manifest.json'), 'utf8')).stacks);
  });
  afterAll(() => env.stop());

  const planAll = () => {
    const { TF_PLUGIN_CACHE_DIR: _unused, ...tfEnv } = env.baseEnv; // an unpacked mirror needs no cache
    return run(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'ci', 'plan-all.ts'), '--skip-synth'], {
      cwd: env.workDir,
      env: { ...tfEnv, GITHUB_ACTIONS: 'true' },
    });
  };
  const summary = () => JSON.parse(readFileSync(path.join(env.workDir, 'cdktf.out', 'plan-summary.json'), 'utf8'));

  test('nothing deployed yet: every stack plans, phase 1 has changes, exit 2; an orphaned state is reported', async () => {
    // This fleet's own state folder (fleet.json: fleet "fleet").
    mkdirSync(path.join(env.workDir, 'state', 'fleet'), { recursive: true });
    writeFileSync(
      path.join(env.workDir, 'state', 'fleet', 'terraform.retired-scrapers.tfstate'),
      JSON.stringify({ version: 4, resources: [{ mode: 'managed', type: 'aws_iam_role' }] }),
    );
    const result = await planAll();
    expect({ code: result.code, tail: result.code === 2 ? '' : result.output.slice(-3000) }).toEqual({ code: 2, tail: '' });
    const s = summary();
    expect(s.stacks.map((x: any) => x.name)).toEqual(stacks);
    expect(s.stacks.filter((x: any) => x.result === 'error')).toEqual([]);
    expect(s.totals.add).toBeGreaterThan(0);
    expect(s.orphans.findings.map((f: any) => f.stack)).toEqual(['retired-scrapers']);
    for (const stack of stacks) expect(result.output).toMatch(new RegExp(`^::group::plan ${stack}: `, 'm'));
    expect(readFileSync(path.join(env.workDir, 'cdktf.out', 'plan-summary.md'), 'utf8')).toMatch(/#### Orphaned states[\s\S]*retired-scrapers/);
  });

  test('a stack that cannot plan: exit 1, its error in the summary, the other stacks still planned', async () => {
    const broken = stacks[stacks.length - 1];
    const file = path.join(env.workDir, 'cdktf.out', 'stacks', broken, 'cdk.tf.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.output = { ...json.output, broken: { value: '${aws_iam_role.does_not_exist.arn}' } };
    writeFileSync(file, JSON.stringify(json));
    const result = await planAll();
    expect(result.code).toBe(1);
    const failed = summary().stacks.filter((x: any) => x.result === 'error');
    expect(failed.map((x: any) => [x.name, x.errors])).toEqual([[broken, [expect.stringMatching(/^Error: Reference to undeclared resource/)]]]);
    expect(summary().stacks.filter((x: any) => x.result === 'changes').length).toBeGreaterThan(0);
  });
});

/** npm run deploy on many stacks: bounded, no spinner/cursor/colour codes in a non-terminal log, no MaxListeners warning. */
describe('scripts/cdktf.ts deploy of a 12-stack app (terraform_data only, local state)', () => {
  let dir = '';
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = () => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CHECKPOINT_DISABLE: '1',
    TF_CLI_CONFIG_FILE: path.join(dir, 'terraformrc'),
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true',
  });

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-deploy-'));
    writeFileSync(path.join(dir, 'terraformrc'), 'provider_installation {\n  direct { exclude = ["registry.terraform.io/*/*"] }\n}\n');
    writeFileSync(
      path.join(dir, 'main.js'),
      `const { App, TerraformStack, LocalBackend } = require(${JSON.stringify(require.resolve('cdktf'))});
const { DataResource } = require(${JSON.stringify(require.resolve('cdktf/lib/terraform-data-resource'))});
const app = new App();
for (let i = 0; i < 12; i++) {
  const stack = new TerraformStack(app, 's' + i);
  new LocalBackend(stack, { path: 'state/s' + i + '.tfstate' });
  new DataResource(stack, 'd', { input: 'v' + process.env.RUN });
}
app.synth();
`,
    );
    writeFileSync(path.join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'node main.js', sendCrashReports: 'false' }));
  });

  // Node 20 also printed a MaxListenersExceededWarning here (11 abort listeners); Node 22 and later do not, so only
  // the escape codes and the spinner are the plain CLI's part of the case the wrapper exists for.
  test('plain cdktf deploy writes spinner and cursor codes into a non-terminal log (the case the wrapper exists for)', async () => {
    const r = await run(path.join(ROOT, 'node_modules', '.bin', 'cdktf'), ['deploy', '*', '--auto-approve'], { cwd: dir, env: { ...env(), RUN: '1' } });
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/\u001b\[/);
    expect(r.output).toMatch(/Stacks waiting/);
  });

  test('through the wrapper: no warning, no escape codes, no spinner, every stack applied', async () => {
    const r = await run(
      process.execPath,
      ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'cdktf.ts'), 'deploy', '--auto-approve', '-j', '2'],
      { cwd: dir, env: { ...env(), RUN: '2' } },
    );
    expect({ code: r.code, tail: r.code ? r.output.slice(-2000) : '' }).toEqual({ code: 0, tail: '' });
    expect(r.output).not.toMatch(/MaxListeners|NODE_OPTIONS/);
    expect(r.output).not.toMatch(/\u001b/);
    expect(r.output).not.toMatch(/Stacks waiting/);
    expect(r.output.match(/Apply complete! Resources: 0 added, 1 changed, 0 destroyed\./g)).toHaveLength(12);
  });

  test('without a terminal and without --auto-approve it stops before cdktf runs', async () => {
    const r = await run(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'cdktf.ts'), 'deploy'], {
      cwd: dir,
      env: env(),
    });
    expect(r).toEqual({ code: 1, output: expect.stringMatching(/^cdktf deploy: stdin is not a terminal, so cdktf cannot ask for approval\./) });
    expect(r.output).not.toMatch(/Raw mode/);
  });
});
