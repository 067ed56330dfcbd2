/**
 * Both phases with S3 state (in moto): phase 2 plans before phase 1 has written its state object (the
 * listing gate), then reads the scraper ARN from it after deploy, and a second run changes nothing. Then
 * `npm run deploy`'s plan-first step with S3 state: a no-change deploy ends after planning both stacks (no cdktf, no
 * lock left), a drifted trust goes on to cdktf deploy and is repaired, a Ctrl-C while planning changes nothing.
 */
import { spawn } from 'child_process';
import { readFileSync } from 'fs';
import * as path from 'path';
import { E2eEnvironment, exampleFleet, expectNoChanges, expectSuccess, waitFor } from './harness';
import { script } from './interrupt';

const SOURCE = '111111111111';
const PAIR = 'prod-to-central';
const PHASE1 = 'fleet-scrapers';
const PHASE2 = 'fleet-trust';
const BUCKET = 'amp-xa-e2e-state';

const config = exampleFleet();
config.backend = { type: 's3', bucket: BUCKET, region: 'eu-west-1', keyPrefix: 'e2e', usePathStyle: true };

const env = new E2eEnvironment(config);

beforeAll(async () => {
  await env.start();
  await env.provisionWorkspaces(config);
  await env.provisionClusters(config);
  await env.awsBase(['s3api', 'create-bucket', '--bucket', BUCKET, '--create-bucket-configuration', 'LocationConstraint=eu-west-1']);
  await env.synthAndLock();
});
afterAll(() => env.stop());

test('the plan-all script plans every stack while phase 1 has no state object yet: changes pending, no errors', async () => {
  const diff = await env.diffAll();
  expect({ code: diff.code, tail: diff.code === 2 ? '' : diff.output.slice(-3000) }).toEqual({ code: 2, tail: '' });
  const summary = JSON.parse(readFileSync(path.join(env.workDir, 'cdktf.out', 'plan-summary.json'), 'utf8'));
  const byName = Object.fromEntries(summary.stacks.map((s: any) => [s.name, s]));
  expect(byName[PHASE1]).toMatchObject({ planExitCode: 2, add: 5, destroy: 0, errors: [] });
  // Phase 2 reads phase 1's state only once it exists: before, it plans nothing but its outputs.
  expect(byName[PHASE2]).toMatchObject({ add: 0, finalizerRuns: 0, destroy: 0, errors: [] });
  expect(summary.orphans.findings).toEqual([]);
});

test('deploy keeps each stack state in its own key and pins trust through the S3 remote state', async () => {
  const deploy = await env.deploy();
  expectSuccess(deploy);
  const keys = (await env.awsBase(['s3api', 'list-objects-v2', '--bucket', BUCKET])).Contents.map((o: { Key: string }) => o.Key).sort();
  // <keyPrefix>/<fleet>/<stack>: the config is fleet.json, fleet "fleet".
  expect(keys).toEqual([`e2e/fleet/${PHASE1}.tfstate`, `e2e/fleet/${PHASE2}.tfstate`]);
  const [scraper] = env.emulator.list(SOURCE);
  const trust = (await env.aws(SOURCE, ['iam', 'get-role', '--role-name', `amp-xa-${PAIR}-source`])).Role.AssumeRolePolicyDocument;
  expect(trust.Statement[0].Condition.ArnEquals).toEqual({ 'aws:SourceArn': scraper.arn });
  expect(deploy.output).toContain(`"${PAIR}" = "${scraper.arn}"`);
});

test('a second run plans no changes', async () => {
  await expectNoChanges(env, [PHASE1, PHASE2]);
});

const ROOT = path.join(__dirname, '..', '..');
const WRAPPER = [path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'cdktf.ts')];
const npmDeploy = () => script(env, 'cdktf.ts', ['deploy', '--auto-approve', '--skip-provider-lock']);
const stateKeys = async () => ((await env.awsBase(['s3api', 'list-objects-v2', '--bucket', BUCKET])).Contents ?? []).map((o: { Key: string }) => o.Key).sort();

test('npm run deploy with nothing to change: both stacks planned side by side, then it stops (no cdktf deploy, no lock left)', async () => {
  const r = await npmDeploy();
  expectSuccess(r);
  expect(r.output).toMatch(/^amp-xa: planning the 2 stacks side by side first/m);
  expect(r.output).toMatch(new RegExp(`^amp-xa:   ${PHASE1}: no changes`, 'm'));
  expect(r.output).toMatch(/^amp-xa: No changes\. Your infrastructure matches the configuration: 2 stacks planned in [\d.]+ s/m);
  // cdktf deploy did not run: none of its per-stack output, no Terraform apply.
  expect(r.output).not.toMatch(/Apply complete|Deploying Stack|fleet-scrapers\s+Initializing/);
  expect(await stateKeys()).toEqual([`e2e/fleet/${PHASE1}.tfstate`, `e2e/fleet/${PHASE2}.tfstate`]);
});

test('npm run deploy after the trust drifted by hand: the plans show it, cdktf deploy repairs it, and the next one stops after planning', async () => {
  const [scraper] = env.emulator.list(SOURCE);
  const role = `amp-xa-${PAIR}-source`;
  const open = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'scraper.aps.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  await env.aws(SOURCE, ['iam', 'update-assume-role-policy', '--role-name', role, '--policy-document', JSON.stringify(open)]);
  const repair = await npmDeploy();
  expectSuccess(repair);
  expect(repair.output).toMatch(new RegExp(`^amp-xa: changes in ${PHASE2}: deploying with cdktf$`, 'm'));
  expect(repair.output).toMatch(/Apply complete!/);
  const trust = (await env.aws(SOURCE, ['iam', 'get-role', '--role-name', role])).Role.AssumeRolePolicyDocument;
  expect(trust.Statement[0].Condition.ArnEquals).toEqual({ 'aws:SourceArn': scraper.arn });
  const again = await npmDeploy();
  expectSuccess(again);
  expect(again.output).toMatch(/^amp-xa: No changes\./m);
});

test('a Ctrl-C while the deploy plans: the plans stop, nothing is applied, no lock is left, and the next deploy finds nothing to do', async () => {
  const child = spawn(process.execPath, ['-r', ...WRAPPER, 'deploy', '--auto-approve', '--skip-provider-lock'], {
    cwd: env.workDir,
    env: env.baseEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? 1)));
  await waitFor(async () => /planning the 2 stacks/.test(output), 'the plan-first step to start', 120_000, 50);
  child.kill('SIGINT');
  const code = await exited;
  expect({ code, output: output.slice(-2000) }).toEqual({
    code: 1,
    output: expect.stringContaining('deploy interrupted (SIGINT) while planning, before anything was applied: nothing changed.'),
  });
  expect(output).not.toMatch(/deploying with cdktf|Apply complete/);
  expect(await stateKeys()).toEqual([`e2e/fleet/${PHASE1}.tfstate`, `e2e/fleet/${PHASE2}.tfstate`]);
  const after = await npmDeploy();
  expectSuccess(after);
  expect(after.output).toMatch(/^amp-xa: No changes\./m);
});
