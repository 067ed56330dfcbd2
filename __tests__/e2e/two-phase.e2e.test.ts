/**
 * The two phases together, for real: `cdktf deploy` with Terraform 1.11 and hashicorp/aws 5.100.0
 * against moto (two accounts reached by assume-role) and the scraper emulator.
 */
import { writeFileSync } from 'fs';
import * as path from 'path';
import { E2eEnvironment, exampleFleet, expectNoChanges as expectNoChangesIn, expectSuccess } from './harness';
import { sourceTrustPolicy, targetTrustPolicy } from '../../lib/iam-documents';
import { normalizePolicy } from '../support/policy';
import { evaluate } from '../support/trust-chain';
import { chainCases } from '../support/trust-chain-cases';

const SOURCE = '111111111111';
const TARGET = '222222222222';
const PAIR = 'prod-to-central';
const PHASE1 = 'fleet-scrapers';
const PHASE2 = 'fleet-trust';
const SOURCE_ROLE = `amp-xa-${PAIR}-source`;
const TARGET_ROLE = `amp-xa-${PAIR}-target`;
const side = { partition: 'aws', region: 'eu-west-1', sourceAccount: SOURCE };

// The shipped example fleet as it is (its default finalizer, terraform_data, is built into Terraform).
const example = exampleFleet();

// cdktf, Terraform and the finalizers see no AWS CLI and no Python: phase 2 needs Terraform and the provider only.
const env = new E2eEnvironment(example, { withoutAwsCliOrPython: true });
let scraperArn = '';

async function liveTrust(account: string, role: string): Promise<any> {
  return (await env.aws(account, ['iam', 'get-role', '--role-name', role])).Role.AssumeRolePolicyDocument;
}

async function expectFinalTrust(): Promise<void> {
  expect(normalizePolicy(await liveTrust(SOURCE, SOURCE_ROLE))).toEqual(normalizePolicy(sourceTrustPolicy(side, scraperArn)));
  expect(normalizePolicy(await liveTrust(TARGET, TARGET_ROLE))).toEqual(
    normalizePolicy(targetTrustPolicy(side, `arn:aws:iam::${SOURCE}:role/${SOURCE_ROLE}`, scraperArn)),
  );
}

const expectNoChanges = () => expectNoChangesIn(env, [PHASE1, PHASE2]);

const handTrust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'scraper.aps.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

beforeAll(async () => {
  await env.start();
  await env.provisionWorkspaces(example);
  // The preflight reads the cluster: it must exist, healthy.
  await env.provisionClusters(example);
  await env.synthAndLock();
});
afterAll(() => env.stop());

test('before anything exists, cdktf diff plans both phases (the pull-request check)', async () => {
  const phase1 = await env.cdktf('diff', PHASE1);
  expectSuccess(phase1);
  expect(phase1.output).toMatch(/Plan: 5 to add, 0 to change, 0 to destroy/);
  // Phase 1 has no state yet: the remote-state defaults apply and phase 2 plans nothing but its outputs.
  const phase2 = await env.cdktf('diff', PHASE2);
  expectSuccess(phase2);
  expect(phase2.output).not.toMatch(/will be created|will be read|Error/);
  expect(phase2.output).toMatch(/pinned_scraper_arns\s+= \{\s+\+ "?prod-to-central"?\s+= ""/);
  expect(env.emulator.list()).toEqual([]);
});

/** The four live documents of the pair, as the IAM evaluator takes them. */
async function liveDocuments() {
  const inline = async (account: string, role: string, name: string) =>
    (await env.aws(account, ['iam', 'get-role-policy', '--role-name', role, '--policy-name', name])).PolicyDocument;
  return {
    sourceTrust: await liveTrust(SOURCE, SOURCE_ROLE),
    targetTrust: await liveTrust(TARGET, TARGET_ROLE),
    sourcePermissions: await inline(SOURCE, SOURCE_ROLE, 'amp-xa-assume-target'),
    targetPermissions: await inline(TARGET, TARGET_ROLE, 'amp-xa-remote-write'),
  };
}

const chainPair = () => ({
  sourceAccount: SOURCE,
  targetAccount: TARGET,
  region: 'eu-west-1',
  scraperArn: env.emulator.list(SOURCE)[0].arn,
  sourceRoleName: SOURCE_ROLE,
  targetRoleName: TARGET_ROLE,
  workspaceArn: example.workspaces.central.arn,
});

test("phase 1 alone leaves the roles sealed: the live documents admit no scraper, not even the pair's own", async () => {
  expectSuccess(await env.cdktf('deploy', PHASE1, '--auto-approve'));
  expect(env.emulator.list(SOURCE)).toHaveLength(1);
  for (const c of chainCases(chainPair(), await liveDocuments())) {
    expect({ case: c.name, ...(await evaluate(c.request)) }).toEqual({ case: c.name, result: c.expect.sealed, ignoredContextKeys: [] });
  }
  // The pair's own scraper is among the cases, and denied.
  expect(chainCases(chainPair(), await liveDocuments()).some((c) => c.expect.final === 'Allowed' && c.expect.sealed === 'ImplicitlyDenied')).toBe(true);
});

test('cdktf deploy of every stack then pins the final trust in both accounts, roles and scraper in place', async () => {
  const result = await env.deploy();
  expectSuccess(result);

  const [scraper] = env.emulator.list(SOURCE);
  expect(scraper).toBeDefined();
  scraperArn = scraper.arn;
  expect(scraper.status.statusCode).toBe('ACTIVE');
  expect(scraper.roleConfiguration).toEqual({
    sourceRoleArn: `arn:aws:iam::${SOURCE}:role/${SOURCE_ROLE}`,
    targetRoleArn: `arn:aws:iam::${TARGET}:role/${TARGET_ROLE}`,
  });
  expect(scraper.source.eksConfiguration.clusterArn).toBe(example.clusters['prod-eks'].arn);
  expect(scraper.destination.ampConfiguration.workspaceArn).toBe(example.workspaces.central.arn);
  expect(env.emulator.list(TARGET)).toEqual([]);

  // Each role in its own account only.
  expect((await env.aws(SOURCE, ['iam', 'get-role', '--role-name', SOURCE_ROLE])).Role.Arn).toBe(`arn:aws:iam::${SOURCE}:role/${SOURCE_ROLE}`);
  expect((await env.aws(TARGET, ['iam', 'get-role', '--role-name', TARGET_ROLE])).Role.Arn).toBe(`arn:aws:iam::${TARGET}:role/${TARGET_ROLE}`);
  expect(await env.awsError(TARGET, ['iam', 'get-role', '--role-name', SOURCE_ROLE])).toMatch(/NoSuchEntity/);
  expect(await env.awsError(SOURCE, ['iam', 'get-role', '--role-name', TARGET_ROLE])).toMatch(/NoSuchEntity/);

  await expectFinalTrust();
  expect(result.output).toContain(`"prod-to-central" = "${scraperArn}"`);
});

test('the live documents, read back from the emulated accounts, admit only this scraper', async () => {
  const cases = chainCases(chainPair(), await liveDocuments());
  for (const c of cases) {
    expect({ case: c.name, ...(await evaluate(c.request)) }).toEqual({ case: c.name, result: c.expect.final, ignoredContextKeys: [] });
  }
});

test('a second deploy changes nothing', async () => {
  await expectNoChanges();
  const again = await env.deploy();
  expect(again.code).toBe(0);
  expect(again.output).not.toMatch(/Resources: [1-9]\d* added|[1-9]\d* changed|[1-9]\d* destroyed/);
});

test('a trust policy edited by hand is detected at plan time and repaired by the next deploy', async () => {
  await env.aws(SOURCE, ['iam', 'update-assume-role-policy', '--role-name', SOURCE_ROLE, '--policy-document', handTrust]);
  const plan = await env.plan(PHASE2);
  expect(plan.code).toBe(2);
  expect(plan.output).toMatch(/terraform_data\.trust-source-workload_finalizer_\w+\[0\] must be replaced/);
  expect(plan.output).toMatch(/live_policy\s+= "in-sync" -> \(known after apply\)/);
  // The drifted batch's roles are read back after its run; the batch in sync reads its role once.
  expect(plan.output).toMatch(/data\.aws_iam_role\.prod-to-central_source-trust_verified_\w+\[0\] will be read during apply/);
  expect(plan.output).not.toMatch(/target-trust_verified/);

  const repair = await env.deploy();
  expect(repair.code).toBe(0);
  await expectFinalTrust();
  await expectNoChanges();
  const quiet = await env.plan(PHASE2);
  expect(quiet.code).toBe(0);
  expect(quiet.output).toMatch(/prod-to-central_source-trust_live_\w+\[0\]: Read complete/);
  expect(quiet.output).not.toMatch(/_verified_/);
});

/** Drifts both roles by hand (Target's principal becomes the source account root, so it is told apart). */
async function driftBoth(): Promise<void> {
  await env.aws(SOURCE, ['iam', 'update-assume-role-policy', '--role-name', SOURCE_ROLE, '--policy-document', handTrust]);
  await env.aws(TARGET, [
    'iam',
    'update-assume-role-policy',
    '--role-name',
    TARGET_ROLE,
    '--policy-document',
    handTrust.replace('"Service":"scraper.aps.amazonaws.com"', `"AWS":"arn:aws:iam::${SOURCE}:root"`),
  ]);
}

test('IAM answering 500 midway (Target update) is retried by the provider inside the finalizer: the deploy converges', async () => {
  await driftBoth();
  // The provider retries 5xx answers (up to 25 attempts with backoff): three failures are absorbed.
  env.emulator.inject({ match: ['Action=UpdateAssumeRolePolicy', `RoleName=${TARGET_ROLE}&`], status: 500, remaining: 3 });
  const result = await env.deploy();
  const injected = 3 - env.emulator.faults[0].remaining;
  env.emulator.clearFaults();
  expect(injected).toBe(3);
  expectSuccess(result);
  await expectFinalTrust();
  await expectNoChanges();
});

test('a phase-2 run that fails midway (IAM refuses the Target update) converges on re-run', async () => {
  // A refusal outlasts any retry (a 500 that did would cost the provider's 25 attempts, minutes): Source is
  // repaired, Target is not, and the deploy fails naming the role, the account and IAM's error.
  await driftBoth();
  env.emulator.inject({ match: ['Action=UpdateAssumeRolePolicy', `RoleName=${TARGET_ROLE}&`], status: 403, errorType: 'AccessDenied', remaining: 1000 });
  const failed = await env.deploy();
  const injected = 1000 - env.emulator.faults[0].remaining;
  env.emulator.clearFaults();
  expect(injected).toBeGreaterThan(0);
  expect(failed.code).not.toBe(0);
  expect(failed.output).toMatch(/local-exec provisioner error/);
  expect(failed.output.replace(/\s+/g, ' ')).toMatch(
    new RegExp(`amp-xa: trust of role\\(s\\) ${TARGET_ROLE} in account observability \\(${TARGET}\\): terraform apply failed`),
  );
  expect(normalizePolicy(await liveTrust(SOURCE, SOURCE_ROLE))).toEqual(normalizePolicy(sourceTrustPolicy(side, scraperArn)));
  expect((await liveTrust(TARGET, TARGET_ROLE)).Statement[0].Principal).toEqual({ AWS: `arn:aws:iam::${SOURCE}:root` });

  const rerun = await env.deploy();
  expectSuccess(rerun);
  await expectFinalTrust();
  await expectNoChanges();
});

test('a scraper update that AMP fails (UPDATE_FAILED) fails the deploy with its reason; the next deploy retries it in place', async () => {
  const [before] = env.emulator.list(SOURCE);
  example.pairs[0].alias = 'prod-to-central-v2';
  env.writeConfig(example);
  env.emulator.failNext({ operation: 'update', statusReason: 'Scrape configuration could not be applied: update-fault-7f3a' });
  const failed = await env.deploy();
  expect(failed.code).not.toBe(0);
  expect(failed.output).toMatch(/unexpected state 'UPDATE_FAILED'/);
  // cdktf wraps long lines: look for a token of the reason that cannot be split.
  expect(failed.output).toContain('update-fault-7f3a');

  expectSuccess(await env.deploy());
  const [after] = env.emulator.list(SOURCE);
  expect({ id: after.scraperId, alias: after.alias, status: after.status.statusCode }).toEqual({
    id: before.scraperId,
    alias: 'prod-to-central-v2',
    status: 'ACTIVE',
  });
  await expectFinalTrust();
  await expectNoChanges();
});

test('user text reaches AWS byte for byte: a scrape config full of $1, ${1} and %{…} arrives in AMP as written', async () => {
  const scrape = [
    'global:',
    '  scrape_interval: 60s',
    '  external_labels:',
    '    note: "${HOME} %{ if x } 100% $$ café \u00e9"',
    'scrape_configs:',
    '  - job_name: pods',
    '    kubernetes_sd_configs:',
    '      - role: pod',
    '    relabel_configs:',
    '      - source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]',
    '        regex: ([^:]+)(?::\\d+)?;(\\d+)',
    '        replacement: ${1}:${2}',
    '        target_label: __address__',
    '      - source_labels: [__meta_kubernetes_pod_name]',
    '        replacement: $1-%{suffix}',
    '        target_label: pod',
    '',
  ].join('\n');
  writeFileSync(path.join(env.workDir, 'hostile.yaml'), scrape);
  example.pairs[0].scrapeConfigFile = 'hostile.yaml';
  env.writeConfig(example);
  expectSuccess(await env.deploy());
  const [scraper] = env.emulator.list(SOURCE);
  expect(Buffer.from(scraper.scrapeConfiguration.configurationBlob, 'base64').toString('utf8')).toBe(scrape);
  await expectNoChanges();
});
