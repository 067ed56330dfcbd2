/**
 * Plan-time preflight against moto + the emulator (EKS answers completed with vpcId and accessConfig): each setup
 * AMP cannot scrape, created for real in the emulated accounts, fails `cdktf diff` of the scraper stack with
 * amp-xa's message naming the pair and the fix, next to a healthy pair that is not named; the deploy's plan fails
 * the same way with nothing created in AWS; the healthy pair then plans and deploys. No scraper is destroyed.
 */
import { E2eEnvironment, exampleFleet, expectNoChanges, expectSuccess } from './harness';

const SOURCE = '111111111111';
const TARGET = '222222222222';
const MISSING_WORKSPACE = `arn:aws:aps:eu-west-1:${TARGET}:workspace/ws-00000000-0000-4000-8000-000000000000`;

const env = new E2eEnvironment({});
let fleet: any;

/** The example's accounts, with one cluster per case next to the healthy prod-eks. */
function baseFleet(): any {
  const config = exampleFleet();
  const healthy = config.clusters['prod-eks'];
  const cluster = (name: string, extra: object = {}) => ({ ...healthy, arn: healthy.arn.replace(/prod-eks$/, name), ...extra });
  config.clusters = {
    'prod-eks': healthy,
    'public-eks': cluster('public-eks'),
    'onezone-eks': cluster('onezone-eks'),
    'foreign-eks': cluster('foreign-eks'),
    'nodns-eks': cluster('nodns-eks'),
    'cm-eks': cluster('cm-eks', { authenticationMode: 'API' }),
  };
  return config;
}

/** The fleet with the healthy pair and `pair` only. */
function withPair(pair: { name: string; cluster: string; workspace?: string }): any {
  const config = JSON.parse(JSON.stringify(fleet));
  config.pairs = [config.pairs[0], { workspace: 'central', ...pair }];
  return config;
}

async function amPXaRoles(account: string): Promise<string[]> {
  const roles = (await env.aws(account, ['iam', 'list-roles'])).Roles as Array<{ RoleName: string }>;
  return roles.map((r) => r.RoleName).filter((n) => n.startsWith('amp-xa-') && n !== 'amp-xa-deployer');
}

/** Terraform wraps long messages in a frame (cdktf prefixes each line with the stack): compare the text on single spaces. */
const flat = (text: string) =>
  text
    .replace(/^\s*fleet-scrapers\s/gm, ' ')
    .replace(/[╷│╵]/g, ' ')
    .replace(/\s+/g, ' ');

beforeAll(async () => {
  await env.start();
  fleet = baseFleet();
  await env.provisionWorkspaces(fleet);
  await env.provisionClusters(fleet, {
    'public-eks': { privateEndpoint: false },
    'onezone-eks': { oneZone: true },
    'foreign-eks': { subnetInOtherVpc: true },
    'nodns-eks': { dnsHostnames: false },
    'cm-eks': { authenticationMode: 'CONFIG_MAP' },
  });
  fleet.workspaces.gone = { account: 'observability', arn: MISSING_WORKSPACE };
  env.writeConfig(withPair({ name: 'public-to-central', cluster: 'public-eks' }));
  await env.synthAndLock();
});
afterAll(() => env.stop());

const CASES: Array<[string, { name: string; cluster: string; workspace?: string }, RegExp]> = [
  [
    'a cluster without private endpoint access',
    { name: 'public-to-central', cluster: 'public-eks' },
    /amp-xa: pair public-to-central: cluster public-eks has no private endpoint access .*; enable it: aws eks update-cluster-config --region eu-west-1 --name public-eks --resources-vpc-config endpointPrivateAccess=true\. Nothing was created\./,
  ],
  [
    'subnets in one Availability Zone',
    { name: 'onezone-to-central', cluster: 'onezone-eks' },
    /amp-xa: pair onezone-to-central: the subnets of clusters\.onezone-eks\.subnetIds that exist \(subnet-\w+ in eu-west-1a, subnet-\w+ in eu-west-1a\) span 1 Availability Zone\(s\); AMP needs at least two subnets in at least two Availability Zones: add a subnet/,
  ],
  [
    'a subnet of another VPC',
    { name: 'foreign-to-central', cluster: 'foreign-eks' },
    /amp-xa: pair foreign-to-central: subnets subnet-\w+ \(in vpc-\w+\) of clusters\.foreign-eks\.subnetIds are not in the VPC of cluster foreign-eks \(vpc-\w+\); use subnets of that VPC\./,
  ],
  [
    'a VPC without DNS hostnames',
    { name: 'nodns-to-central', cluster: 'nodns-eks' },
    /amp-xa: pair nodns-to-central: VPC vpc-\w+ of cluster nodns-eks has DNS hostnames disabled; enable them: aws ec2 modify-vpc-attribute --region eu-west-1 --vpc-id vpc-\w+ --enable-dns-hostnames\./,
  ],
  [
    'a missing workspace',
    { name: 'prod-to-gone', cluster: 'prod-eks', workspace: 'gone' },
    /amp-xa: pair prod-to-gone: workspace gone \(ws-00000000-0000-4000-8000-000000000000, workspaces\.gone\.arn \S+\) does not exist in account 222222222222 region eu-west-1; fix workspaces\.gone\.arn, or create the workspace first\./,
  ],
  [
    'a CONFIG_MAP cluster configured as API',
    { name: 'cm-to-central', cluster: 'cm-eks' },
    /amp-xa: pair cm-to-central: cluster cm-eks is in authentication mode CONFIG_MAP but clusters\.cm-eks\.authenticationMode says API\. The cluster takes no access entries: the scraper would be ACTIVE with no data\. Fix: enable access entries: aws eks update-cluster-config --region eu-west-1 --name cm-eks --access-config authenticationMode=API_AND_CONFIG_MAP/,
  ],
];

test('each setup AMP cannot scrape fails the plan with its own message, naming the pair and the fix; the healthy pair is not named', async () => {
  // One plan for all six: each check is its own postcondition, so each reports on its own (synth and plan are the
  // slow part of an e2e step, not the checks).
  const config = JSON.parse(JSON.stringify(fleet));
  config.pairs = [config.pairs[0], ...CASES.map(([, pair]) => ({ workspace: 'central', ...pair }))];
  env.writeConfig(config);
  const diff = await env.cdktf('diff', 'fleet-scrapers');
  expect(diff.code).not.toBe(0);
  // The reasons, from the plan of the stack the diff synthesized (cdktf does not always show the end of a failed
  // plan's output).
  const started = Date.now();
  const plan = await env.plan('fleet-scrapers');
  console.log(`preflight e2e: terraform plan failed after ${Math.round((Date.now() - started) / 1000)} s`);
  expect(plan.code).toBe(1);
  const output = flat(plan.output);
  for (const [what, , expected] of CASES) expect({ what, named: expected.test(output) ? 'named' : output.slice(-6000) }).toEqual({ what, named: 'named' });
  // One problem, one message: no other check of these pairs fails, and none of the healthy pair.
  const named = new Set(output.match(/amp-xa: pairs? [\w, -]+:/g));
  expect([...named].sort()).toEqual(CASES.map(([, pair]) => `amp-xa: pair ${pair.name}:`).sort());
  expect(env.emulator.list()).toEqual([]);
});

test("the deploy's plan fails the same way, with nothing created in AWS", async () => {
  env.writeConfig(withPair({ name: 'cm-to-central', cluster: 'cm-eks' }));
  const deploy = await env.deploy();
  expect(deploy.code).not.toBe(0);
  const plan = await env.plan('fleet-scrapers');
  expect(plan.code).toBe(1);
  expect(flat(plan.output)).toMatch(/amp-xa: pair cm-to-central: cluster cm-eks is in authentication mode CONFIG_MAP/);
  expect(await amPXaRoles(SOURCE)).toEqual([]);
  expect(await amPXaRoles(TARGET)).toEqual([]);
  expect(env.emulator.list()).toEqual([]);
});

test('allowAuthenticationModeMismatch lets the CONFIG_MAP cluster configured as API plan', async () => {
  const config = withPair({ name: 'cm-to-central', cluster: 'cm-eks' });
  config.clusters['cm-eks'].allowAuthenticationModeMismatch = true;
  env.writeConfig(config);
  expectSuccess(await env.cdktf('diff', 'fleet-scrapers'));
});

/** A line of a plan in which Terraform reads one of the preflight's data sources. */
const PREFLIGHT_READ = /data\.aws_[a-z_]+\.preflight_[\w-]+(\[[^\]]*\])?: Reading\.\.\./g;

test('a healthy pair plans and deploys; the next plan changes nothing and, the pair deployed with the same inputs, reads none of its preflight', async () => {
  const config = JSON.parse(JSON.stringify(fleet));
  config.pairs = [config.pairs[0]];
  env.writeConfig(config);
  expectSuccess(await env.cdktf('diff', 'fleet-scrapers'));
  // A pair not deployed yet is read (cdktf diff does not show Terraform's reads; the plan does).
  const first = await env.plan('fleet-scrapers');
  expect({ code: first.code, reads: (first.output.match(PREFLIGHT_READ) ?? []).length > 3 }).toEqual({ code: 2, reads: true });
  expectSuccess(await env.deploy());
  expect(env.emulator.list().map((s) => s.alias)).toEqual(['prod-to-central']);
  await expectNoChanges(env, ['fleet-scrapers', 'fleet-trust']);
  const again = await env.plan('fleet-scrapers');
  expect({ code: again.code, reads: again.output.match(PREFLIGHT_READ) ?? [] }).toEqual({ code: 0, reads: [] });
});
