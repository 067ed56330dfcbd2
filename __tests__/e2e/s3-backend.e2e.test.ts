/**
 * Both phases with S3 state (in moto): phase 2 plans before phase 1 has written its state object (the
 * listing gate), then reads the scraper ARN from it after deploy, and a second run changes nothing.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { E2eEnvironment, exampleFleet, expectNoChanges, expectSuccess } from './harness';

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
