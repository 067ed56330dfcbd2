/**
 * The fleet the fleet e2e files deploy: three accounts, four pairs (three clusters, two workspaces). Each file
 * starts its own environment, so the files' scraper deletions (the provider waits 8 minutes on each) overlap.
 */
import { E2eEnvironment } from './harness';

export const A = '111111111111';
export const B = '333333333333';
export const OBS = '222222222222';
const REGION = 'eu-west-1';
export const FLEET_STACKS = ['fleet-scrapers', 'fleet-trust'];
export const SPLIT_STACKS = ['team-b-scrapers', 'team-b-trust', ...FLEET_STACKS];

export const account = (id: string) => ({ id, region: REGION, credentials: { assumeRoleArn: `arn:aws:iam::${id}:role/amp-xa-deployer` } });
/** workload-b in a unit of its own. */
export const inTeamB = { ...account(B), unit: 'team-b' };
/** Subnets of the clusters createClusters made, by cluster name (the preflight reads them). */
const clusterSubnets = new Map<string, string[]>();
const cluster = (id: string, name: string) => ({
  account: id === A ? 'workload-a' : 'workload-b',
  arn: `arn:aws:eks:${REGION}:${id}:cluster/${name}`,
  subnetIds: clusterSubnets.get(name) ?? ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
});

/** Creates the fleet's three clusters (healthy, with their VPCs and subnets) in the emulated accounts; fleet() then uses them. */
export async function createClusters(env: E2eEnvironment): Promise<void> {
  const config = fleet({}, []);
  await env.provisionClusters(config);
  for (const [name, c] of Object.entries<any>(config.clusters)) clusterSubnets.set(name, c.subnetIds);
}

/** `b`: workload-b as given (e.g. in its own unit), or left out of the config. */
export function fleet(workspaces: Record<string, string>, pairs: Array<[string, string, string]>, b: object | false = account(B)): any {
  const withB = b !== false;
  return {
    accounts: { 'workload-a': account(A), ...(withB ? { 'workload-b': b } : {}), observability: account(OBS) },
    clusters: { 'prod-eks': cluster(A, 'prod-eks'), 'dev-eks': cluster(A, 'dev-eks'), ...(withB ? { 'staging-eks': cluster(B, 'staging-eks') } : {}) },
    workspaces: Object.fromEntries(Object.entries(workspaces).map(([name, arn]) => [name, { account: 'observability', arn }])),
    pairs: pairs.map(([name, c, w]) => ({ name, cluster: c, workspace: w })),
  };
}

export const ALL_PAIRS: Array<[string, string, string]> = [
  ['prod-to-central', 'prod-eks', 'central'],
  ['prod-to-audit', 'prod-eks', 'audit'],
  ['dev-to-central', 'dev-eks', 'central'],
  ['staging-to-central', 'staging-eks', 'central'],
];

/** The workspaces the pairs write to, created in the observability account: alias -> ARN. */
export async function createWorkspaces(env: E2eEnvironment): Promise<Record<string, string>> {
  const workspaces: Record<string, string> = {};
  for (const alias of ['central', 'audit']) workspaces[alias] = (await env.aws(OBS, ['amp', 'create-workspace', '--alias', alias])).arn;
  return workspaces;
}

/** amp-xa roles in an account, by name -> role ID (a recreated role gets a new ID). */
export async function roles(env: E2eEnvironment, accountId: string): Promise<Record<string, string>> {
  const listed = (await env.aws(accountId, ['iam', 'list-roles'])).Roles as Array<{ RoleName: string; RoleId: string }>;
  return Object.fromEntries(listed.filter((r) => r.RoleName.startsWith('amp-xa-') && r.RoleName !== 'amp-xa-deployer').map((r) => [r.RoleName, r.RoleId]));
}

export const scrapersByAlias = (env: E2eEnvironment): Record<string, any> => Object.fromEntries(env.emulator.list().map((s: any) => [s.alias, s]));

/** Both trusts of a pair name its live scraper's ARN. */
export async function expectPinned(env: E2eEnvironment, pair: string, sourceAccount: string): Promise<void> {
  const scraper = scrapersByAlias(env)[pair];
  expect(scraper).toBeDefined();
  const source = (await env.aws(sourceAccount, ['iam', 'get-role', '--role-name', `amp-xa-${pair}-source`])).Role.AssumeRolePolicyDocument;
  const target = (await env.aws(OBS, ['iam', 'get-role', '--role-name', `amp-xa-${pair}-target`])).Role.AssumeRolePolicyDocument;
  expect({ pair, source: source.Statement[0].Condition.ArnEquals, target: target.Statement[0].Condition.StringEquals }).toEqual({
    pair,
    source: { 'aws:SourceArn': scraper.arn },
    target: { 'sts:ExternalId': scraper.arn },
  });
}
