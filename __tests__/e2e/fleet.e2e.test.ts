/**
 * The fleet as a platform team runs it: three accounts, four pairs, deployed and finalized by one
 * `cdktf deploy '*'` into the default layout (one phase-1 and one phase-2 stack for the whole fleet); then the
 * fleet split into two units by moving an account (its scraper and roles imported, not replaced), pairs removed
 * and renamed (planned destroys inside their unit's state, nothing orphaned), a unit's last account removed (its
 * leftover state reported), and destroy leaving nothing in any account.
 */
import { E2eEnvironment, expectNoChanges as expectNoChangesIn, expectSuccess } from './harness';

const A = '111111111111';
const B = '333333333333';
const OBS = '222222222222';
const REGION = 'eu-west-1';
const FLEET_STACKS = ['fleet-scrapers', 'fleet-trust'];
const SPLIT_STACKS = ['team-b-scrapers', 'team-b-trust', ...FLEET_STACKS];

const account = (id: string) => ({ id, region: REGION, credentials: { assumeRoleArn: `arn:aws:iam::${id}:role/amp-xa-deployer` } });
const cluster = (id: string, name: string) => ({
  account: id === A ? 'workload-a' : 'workload-b',
  arn: `arn:aws:eks:${REGION}:${id}:cluster/${name}`,
  subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
});

/** `b`: workload-b as given (e.g. in its own unit), or left out of the config. */
function fleet(workspaces: Record<string, string>, pairs: Array<[string, string, string]>, b: object | false = account(B)): any {
  const withB = b !== false;
  return {
    accounts: { 'workload-a': account(A), ...(withB ? { 'workload-b': b } : {}), observability: account(OBS) },
    clusters: { 'prod-eks': cluster(A, 'prod-eks'), 'dev-eks': cluster(A, 'dev-eks'), ...(withB ? { 'staging-eks': cluster(B, 'staging-eks') } : {}) },
    workspaces: Object.fromEntries(Object.entries(workspaces).map(([name, arn]) => [name, { account: 'observability', arn }])),
    pairs: pairs.map(([name, c, w]) => ({ name, cluster: c, workspace: w })),
  };
}

const env = new E2eEnvironment({});
const workspaces: Record<string, string> = {};
const scraperIds = new Map<string, string>();

/** amp-xa roles in an account, by name -> role ID (a recreated role gets a new ID). */
async function roles(accountId: string): Promise<Record<string, string>> {
  const listed = (await env.aws(accountId, ['iam', 'list-roles'])).Roles as Array<{ RoleName: string; RoleId: string }>;
  return Object.fromEntries(listed.filter((r) => r.RoleName.startsWith('amp-xa-') && r.RoleName !== 'amp-xa-deployer').map((r) => [r.RoleName, r.RoleId]));
}

const scrapersByAlias = () => Object.fromEntries(env.emulator.list().map((s: any) => [s.alias, s]));

async function expectPinned(pair: string, sourceAccount: string): Promise<void> {
  const scraper = scrapersByAlias()[pair];
  expect(scraper).toBeDefined();
  const source = (await env.aws(sourceAccount, ['iam', 'get-role', '--role-name', `amp-xa-${pair}-source`])).Role.AssumeRolePolicyDocument;
  const target = (await env.aws(OBS, ['iam', 'get-role', '--role-name', `amp-xa-${pair}-target`])).Role.AssumeRolePolicyDocument;
  expect({ pair, source: source.Statement[0].Condition.ArnEquals, target: target.Statement[0].Condition.StringEquals }).toEqual({
    pair,
    source: { 'aws:SourceArn': scraper.arn },
    target: { 'sts:ExternalId': scraper.arn },
  });
}

const ALL_PAIRS: Array<[string, string, string]> = [
  ['prod-to-central', 'prod-eks', 'central'],
  ['prod-to-audit', 'prod-eks', 'audit'],
  ['dev-to-central', 'dev-eks', 'central'],
  ['staging-to-central', 'staging-eks', 'central'],
];

beforeAll(async () => {
  await env.start();
  for (const alias of ['central', 'audit']) {
    workspaces[alias] = (await env.aws(OBS, ['amp', 'create-workspace', '--alias', alias])).arn;
  }
  env.writeConfig(fleet(workspaces, ALL_PAIRS));
  await env.synthAndLock();
});
afterAll(() => env.stop());

test('one cdktf deploy creates and finalizes every pair of a multi-account fleet, in one pair of stacks', async () => {
  expectSuccess(await env.deploy());
  const byAlias = scrapersByAlias();
  expect(Object.keys(byAlias).sort()).toEqual(['dev-to-central', 'prod-to-audit', 'prod-to-central', 'staging-to-central']);
  for (const [alias, s] of Object.entries<any>(byAlias)) {
    scraperIds.set(alias, s.scraperId);
    expect(s.status.statusCode).toBe('ACTIVE');
  }
  expect(env.emulator.list(A)).toHaveLength(3);
  expect(env.emulator.list(B)).toHaveLength(1);
  for (const pair of ['prod-to-central', 'prod-to-audit', 'dev-to-central']) await expectPinned(pair, A);
  await expectPinned('staging-to-central', B);
});

test('a second deploy changes nothing', async () => {
  await expectNoChangesIn(env, FLEET_STACKS);
});

test('moving an account into its own unit imports its pair there and forgets it in the old unit: same scraper, same roles', async () => {
  const before = { b: await roles(B), obs: await roles(OBS) };
  env.writeConfig(fleet(workspaces, ALL_PAIRS, { ...account(B), unit: 'team-b', movedFrom: 'fleet' }));
  const diff = await env.cdktf('diff', 'team-b-scrapers');
  expectSuccess(diff);
  // The provider reads an imported scraper's configuration blob back in another form and plans an in-place update
  // (as adoption does); nothing is created, replaced or destroyed.
  expect(diff.output).toMatch(/Plan: 5 to import, 0 to add, [01] to change, 0 to destroy/);
  expect(diff.output).not.toMatch(/must be replaced/);
  const deploy = await env.deploy();
  expectSuccess(deploy);
  expect(scrapersByAlias()['staging-to-central'].scraperId).toBe(scraperIds.get('staging-to-central'));
  expect(env.emulator.list()).toHaveLength(4);
  expect(await roles(B)).toEqual(before.b);
  expect(await roles(OBS)).toEqual(before.obs);
  await expectPinned('staging-to-central', B);
  // movedFrom may stay until it is convenient to remove it: both sides are no-ops once the move is done.
  await expectNoChangesIn(env, SPLIT_STACKS);
  const state = (stack: string) => env.stateResources(stack);
  expect((await state('team-b-scrapers')).filter((a) => a.includes('staging-to-central'))).toHaveLength(5);
  expect((await state('fleet-scrapers')).filter((a) => a.includes('staging-to-central'))).toEqual([]);
});

test('removing two pairs (one the last of its unit) and renaming one destroys exactly their resources; a new scraper that fails is replaced by the next deploy; nothing is left behind', async () => {
  const before = { a: await roles(A), b: await roles(B), obs: await roles(OBS) };
  env.writeConfig(
    fleet(
      workspaces,
      [
        ['prod-central', 'prod-eks', 'central'],
        ['prod-to-audit', 'prod-eks', 'audit'],
      ],
      { ...account(B), unit: 'team-b' },
    ),
  );
  // AMP fails the renamed pair's new scraper: the deploy fails with AWS's reason (the removals still happen).
  env.emulator.failNext({
    operation: 'create',
    statusReason: 'The scraper cannot reach the cluster endpoint: create-fault-9c2e',
    match: { alias: 'prod-central' },
  });
  const failed = await env.deploy();
  expect(failed.code).not.toBe(0);
  expect(failed.output).toMatch(/unexpected state 'CREATION_FAILED'/);
  // cdktf wraps long lines: look for a token of the reason that cannot be split.
  expect(failed.output).toContain('create-fault-9c2e');
  const failedId = scrapersByAlias()['prod-central'].scraperId;

  // The README's advice: deploy again. The failed scraper is replaced and phase 2 pins the new one.
  expectSuccess(await env.deploy());

  // Scrapers: the untouched pair keeps its scraper; the renamed pair has a new one; the removed ones are gone.
  const byAlias = scrapersByAlias();
  expect(Object.keys(byAlias).sort()).toEqual(['prod-central', 'prod-to-audit']);
  expect(byAlias['prod-to-audit'].scraperId).toBe(scraperIds.get('prod-to-audit'));
  expect([...scraperIds.values(), failedId]).not.toContain(byAlias['prod-central'].scraperId);
  expect(byAlias['prod-central'].status.statusCode).toBe('ACTIVE');

  // Roles: exactly the pairs still configured, in their accounts; the untouched pair's roles were not recreated.
  const after = { a: await roles(A), b: await roles(B), obs: await roles(OBS) };
  expect(after.a).toEqual({ 'amp-xa-prod-to-audit-source': before.a['amp-xa-prod-to-audit-source'], 'amp-xa-prod-central-source': expect.any(String) });
  expect(after.obs).toEqual({ 'amp-xa-prod-to-audit-target': before.obs['amp-xa-prod-to-audit-target'], 'amp-xa-prod-central-target': expect.any(String) });
  expect(after.b).toEqual({});
  await expectPinned('prod-central', A);
  await expectPinned('prod-to-audit', A);
  await expectNoChangesIn(env, SPLIT_STACKS);
});

test("a unit's last account removed from the config while its state remains is reported by synth with the way to destroy it", async () => {
  env.writeConfig(
    fleet(
      workspaces,
      [
        ['prod-central', 'prod-eks', 'central'],
        ['prod-to-audit', 'prod-eks', 'audit'],
      ],
      false,
    ),
  );
  const synth = await env.cdktf('synth');
  expectSuccess(synth);
  expect(synth.output).toMatch(/orphaned state of stack team-b-scrapers \(no longer in the app\)/);
  expect(synth.output).toMatch(/orphaned state of stack team-b-trust \(no longer in the app\)/);
  expect(synth.output.replace(/\s+/g, ' ')).toMatch(/put an account with "unit": "team-b" and no clusters back in the config/);
});

test('destroy leaves nothing in any account', async () => {
  const result = await env.destroy();
  expectSuccess(result);
  expect(env.emulator.list()).toEqual([]);
  for (const id of [A, B, OBS]) expect({ id, roles: await roles(id) }).toEqual({ id, roles: {} });
});
