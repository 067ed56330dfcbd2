/**
 * Coming from the manual setup: a pair made by hand exactly as AWS's procedure does (the AWS CLI, roles with a
 * placeholder trust, the managed AmazonPrometheusRemoteWriteAccess policy, create-scraper with
 * --role-configuration, then the trust edited by hand), adopted by one deploy: imported, updated in place (never
 * replaced), converged to the final trust and least-privilege permissions; a second deploy changes nothing.
 */
import { E2eEnvironment, expectNoChanges, expectSuccess } from './harness';
import { sourceTrustPolicy, targetTrustPolicy } from '../../lib/iam-documents';
import { normalizePolicy } from '../support/policy';

const SOURCE = '111111111111';
const TARGET = '222222222222';
const REGION = 'eu-west-1';
const CLUSTER = `arn:aws:eks:${REGION}:${SOURCE}:cluster/prod-eks`;
const SUBNETS = ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'];
const SOURCE_ROLE = 'AMPScraperSourceRole';
const TARGET_ROLE = 'AMPScraperTargetRole';
const side = { partition: 'aws', region: REGION, sourceAccount: SOURCE };
const placeholder = `arn:aws:aps:${REGION}:${SOURCE}:scraper/placeholder`;

const env = new E2eEnvironment({}, { awsManagedPolicies: true });
let workspaceArn = '';
let scraper: { scraperId: string; arn: string } = { scraperId: '', arn: '' };

const json = (doc: unknown) => JSON.stringify(doc);
const sourceTrust = (arn: string) =>
  json({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'scraper.aps.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { ArnEquals: { 'aws:SourceArn': arn }, StringEquals: { 'aws:SourceAccount': SOURCE } },
      },
    ],
  });
const targetTrust = (arn: string) =>
  json({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${SOURCE}:role/${SOURCE_ROLE}` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': arn } },
      },
    ],
  });

/** AWS's manual procedure, step by step, with the AWS CLI. */
async function manualSetup(): Promise<void> {
  await env.aws(SOURCE, ['iam', 'create-role', '--role-name', SOURCE_ROLE, '--assume-role-policy-document', sourceTrust(placeholder)]);
  await env.aws(SOURCE, [
    'iam',
    'put-role-policy',
    '--role-name',
    SOURCE_ROLE,
    '--policy-name',
    'AssumeTarget',
    '--policy-document',
    json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${TARGET}:role/${TARGET_ROLE}` }] }),
  ]);
  await env.aws(TARGET, ['iam', 'create-role', '--role-name', TARGET_ROLE, '--assume-role-policy-document', targetTrust(placeholder)]);
  await env.aws(TARGET, ['iam', 'attach-role-policy', '--role-name', TARGET_ROLE, '--policy-arn', 'arn:aws:iam::aws:policy/AmazonPrometheusRemoteWriteAccess']);
  // Something else someone added by hand, that amp-xa's least privilege does not keep.
  await env.aws(TARGET, [
    'iam',
    'put-role-policy',
    '--role-name',
    TARGET_ROLE,
    '--policy-name',
    'debug-extra',
    '--policy-document',
    json({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'aps:QueryMetrics', Resource: '*' }] }),
  ]);
  // AWS CLI v1 base64-encodes blob members itself: the raw YAML goes in.
  const scrape = 'global:\n  scrape_interval: 60s\nscrape_configs:\n  - job_name: pods\n    kubernetes_sd_configs:\n      - role: pod\n';
  scraper = await env.aws(SOURCE, [
    'amp',
    'create-scraper',
    '--alias',
    'hand-made',
    '--source',
    `eksConfiguration={clusterArn=${CLUSTER},subnetIds=[${SUBNETS.join(',')}]}`,
    '--destination',
    `ampConfiguration={workspaceArn=${workspaceArn}}`,
    '--role-configuration',
    `sourceRoleArn=arn:aws:iam::${SOURCE}:role/${SOURCE_ROLE},targetRoleArn=arn:aws:iam::${TARGET}:role/${TARGET_ROLE}`,
    '--scrape-configuration',
    json({ configurationBlob: scrape }),
  ]);
  // The procedure's last step: both trusts edited by hand to the real scraper ARN.
  await env.aws(SOURCE, ['iam', 'update-assume-role-policy', '--role-name', SOURCE_ROLE, '--policy-document', sourceTrust(scraper.arn)]);
  await env.aws(TARGET, ['iam', 'update-assume-role-policy', '--role-name', TARGET_ROLE, '--policy-document', targetTrust(scraper.arn)]);
}

beforeAll(async () => {
  await env.start();
  workspaceArn = (await env.aws(TARGET, ['amp', 'create-workspace', '--alias', 'central'])).arn;
  await manualSetup();
  env.writeConfig(adoptingConfig());
  await env.synthAndLock();
});
afterAll(() => env.stop());

/** The adopting fleet config: the hand-made roles by name, the scraper by ID. */
function adoptingConfig(): any {
  return {
    accounts: {
      workload: { id: SOURCE, region: REGION, credentials: { assumeRoleArn: `arn:aws:iam::${SOURCE}:role/amp-xa-deployer` } },
      observability: { id: TARGET, region: REGION, credentials: { assumeRoleArn: `arn:aws:iam::${TARGET}:role/amp-xa-deployer` } },
    },
    clusters: { 'prod-eks': { account: 'workload', arn: CLUSTER, subnetIds: [...SUBNETS].reverse() } },
    workspaces: { central: { account: 'observability', arn: workspaceArn } },
    pairs: [
      {
        name: 'prod-to-central',
        cluster: 'prod-eks',
        workspace: 'central',
        sourceRoleName: SOURCE_ROLE,
        targetRoleName: TARGET_ROLE,
        adopt: { scraperId: scraper.scraperId },
      },
    ],
  };
}

test('adoption naming roles that are not the pair’s fails at plan time, and nothing changes in AWS', async () => {
  // Bystanders: roles some other system uses, with a managed policy and an inline policy each.
  const bystanderTrust = json({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  const managed = 'arn:aws:iam::aws:policy/AmazonPrometheusRemoteWriteAccess';
  const bystanders: Array<[string, string]> = [
    [SOURCE, 'ops-runner'],
    [TARGET, 'ops-writer'],
  ];
  const snapshot = async () =>
    Promise.all(
      bystanders.map(async ([account, role]) => ({
        trust: (await env.aws(account, ['iam', 'get-role', '--role-name', role])).Role.AssumeRolePolicyDocument,
        attached: (await env.aws(account, ['iam', 'list-attached-role-policies', '--role-name', role])).AttachedPolicies,
        inline: (await env.aws(account, ['iam', 'list-role-policies', '--role-name', role])).PolicyNames,
      })),
    );
  for (const [account, role] of bystanders) {
    await env.aws(account, ['iam', 'create-role', '--role-name', role, '--assume-role-policy-document', bystanderTrust]);
    await env.aws(account, ['iam', 'attach-role-policy', '--role-name', role, '--policy-arn', managed]);
    await env.aws(account, [
      'iam',
      'put-role-policy',
      '--role-name',
      role,
      '--policy-name',
      'keep-me',
      '--policy-document',
      bystanderTrust.replace('sts:AssumeRole', 's3:GetObject').replace(/"Principal":\{[^}]*\},/, '"Resource":"*",'),
    ]);
  }
  const before = await snapshot();
  const config = adoptingConfig();
  Object.assign(config.pairs[0], { sourceRoleName: 'ops-runner', targetRoleName: 'ops-writer' });
  env.writeConfig(config);
  // The later tests adopt the real roles, whatever this one finds.
  const [deploy, plan] = await (async () => [await env.deploy(), await env.plan('fleet-scrapers')])().finally(() => env.writeConfig(adoptingConfig()));
  expect(deploy.code).not.toBe(0);
  // The refusal's reasons, from the plan of the stack the deploy synthesized (cdktf deploy does not always show the
  // end of a failed plan's output).
  expect(plan.code).toBe(1);
  const output = plan.output.replace(/\s+/g, ' ');
  expect(output).toContain(
    'pair prod-to-central adopts role ops-runner (account 111111111111) as its Source role, but its trust policy does not admit scraper.aps.amazonaws.com',
  );
  expect(output).toContain('adopts role ops-writer (account 222222222222) as its Target role, but its trust policy does not admit the pair');
  expect(output).toContain('Nothing was changed');
  expect(await snapshot()).toEqual(before);
  expect(env.emulator.list().map((s: any) => s.scraperId)).toEqual([scraper.scraperId]);
});

test('the plan imports the scraper and both roles and updates them in place: nothing is replaced or destroyed', async () => {
  const diff = await env.cdktf('diff', 'fleet-scrapers');
  expectSuccess(diff);
  expect(diff.output).toMatch(/aws_prometheus_scraper\.prod-to-central_scraper_\w+[^\n]* will be updated in-place/);
  expect(diff.output).toContain(`(imported from "${scraper.scraperId}")`);
  expect(diff.output).toMatch(/aws_iam_role\.prod-to-central_source-role_\w+[^\n]* will be (imported|updated in-place)/);
  // The managed policy to be detached shows before anything changes.
  expect(diff.output).toMatch(/AmazonPrometheusRemoteWriteAccess/);
  expect(diff.output).toMatch(/Plan: 7 to import, \d+ to add, \d+ to change, 0 to destroy/);
  expect(diff.output).not.toMatch(/must be replaced|will be destroyed/);
});

test('one deploy adopts the pair: same scraper, final trust, least-privilege permissions only', async () => {
  expectSuccess(await env.deploy());
  const scrapers = env.emulator.list();
  expect(scrapers.map((s: any) => [s.scraperId, s.alias])).toEqual([[scraper.scraperId, 'prod-to-central']]);

  const live = async (account: string, role: string) => (await env.aws(account, ['iam', 'get-role', '--role-name', role])).Role.AssumeRolePolicyDocument;
  expect(normalizePolicy(await live(SOURCE, SOURCE_ROLE))).toEqual(normalizePolicy(sourceTrustPolicy(side, scraper.arn)));
  expect(normalizePolicy(await live(TARGET, TARGET_ROLE))).toEqual(
    normalizePolicy(targetTrustPolicy(side, `arn:aws:iam::${SOURCE}:role/${SOURCE_ROLE}`, scraper.arn)),
  );

  const attached = async (account: string, role: string) =>
    (await env.aws(account, ['iam', 'list-attached-role-policies', '--role-name', role])).AttachedPolicies;
  const inline = async (account: string, role: string) => (await env.aws(account, ['iam', 'list-role-policies', '--role-name', role])).PolicyNames;
  expect(await attached(TARGET, TARGET_ROLE)).toEqual([]);
  expect(await attached(SOURCE, SOURCE_ROLE)).toEqual([]);
  expect(await inline(TARGET, TARGET_ROLE)).toEqual(['amp-xa-remote-write']);
  expect(await inline(SOURCE, SOURCE_ROLE)).toEqual(['amp-xa-assume-target']);
  const remoteWrite = (await env.aws(TARGET, ['iam', 'get-role-policy', '--role-name', TARGET_ROLE, '--policy-name', 'amp-xa-remote-write'])).PolicyDocument;
  expect(remoteWrite.Statement[0]).toMatchObject({ Action: 'aps:RemoteWrite', Resource: workspaceArn });
});

test('a second deploy changes nothing', async () => {
  await expectNoChanges(env, ['fleet-scrapers', 'fleet-trust']);
});

test('a config that would replace the adopted scraper fails at plan time instead of replacing it', async () => {
  const config = JSON.parse(JSON.stringify(adoptingConfig()));
  config.clusters['prod-eks'].subnetIds = ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'];
  env.writeConfig(config);
  const diff = await env.cdktf('diff', 'fleet-scrapers');
  expect(diff.code).not.toBe(0);
  expect(diff.output).toMatch(/Instance cannot be destroyed/);
  expect(diff.output).toMatch(/Resource aws_prometheus_scraper\.prod-to-central_scraper_\w+ \((?:Default\/)?prod-to-central\/scraper\) has/);
  expect(env.emulator.list().map((s: any) => s.scraperId)).toEqual([scraper.scraperId]);
});
