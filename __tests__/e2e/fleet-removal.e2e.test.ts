/**
 * Pairs leaving a fleet of two units: two removed (one the last of its unit) and one renamed in one deploy. Each
 * removal is a planned destroy inside its unit's state; untouched pairs keep their scraper and roles; nothing is
 * left behind. (A new scraper that AMP fails is fleet-failure.e2e: its own environment, so the deletions overlap.)
 */
import { E2eEnvironment, expectNoChanges as expectNoChangesIn, expectSuccess } from './harness';
import { A, ALL_PAIRS, B, OBS, SPLIT_STACKS, createClusters, createWorkspaces, expectPinned, fleet, inTeamB, roles, scrapersByAlias } from './fleet-fixture';

const env = new E2eEnvironment({});
let workspaces: Record<string, string> = {};
const scraperIds = new Map<string, string>();

beforeAll(async () => {
  await env.start();
  workspaces = await createWorkspaces(env);
  await createClusters(env);
  env.writeConfig(fleet(workspaces, ALL_PAIRS, inTeamB));
  await env.synthAndLock();
});
afterAll(() => env.stop());

test('a fleet in two units deploys every pair', async () => {
  expectSuccess(await env.deploy());
  for (const [alias, s] of Object.entries<any>(scrapersByAlias(env))) scraperIds.set(alias, s.scraperId);
  expect([...scraperIds.keys()].sort()).toEqual(['dev-to-central', 'prod-to-audit', 'prod-to-central', 'staging-to-central']);
  await expectPinned(env, 'staging-to-central', B);
});

test('removing two pairs (one the last of its unit) and renaming one destroys exactly their resources in one deploy; nothing is left behind', async () => {
  const before = { a: await roles(env, A), b: await roles(env, B), obs: await roles(env, OBS) };
  env.writeConfig(
    fleet(
      workspaces,
      [
        ['prod-central', 'prod-eks', 'central'],
        ['prod-to-audit', 'prod-eks', 'audit'],
      ],
      inTeamB,
    ),
  );
  expectSuccess(await env.deploy());

  // Scrapers: the untouched pair keeps its scraper; the renamed pair has a new one; the removed ones are gone.
  const byAlias = scrapersByAlias(env);
  expect(Object.keys(byAlias).sort()).toEqual(['prod-central', 'prod-to-audit']);
  expect(byAlias['prod-to-audit'].scraperId).toBe(scraperIds.get('prod-to-audit'));
  expect([...scraperIds.values()]).not.toContain(byAlias['prod-central'].scraperId);
  expect(byAlias['prod-central'].status.statusCode).toBe('ACTIVE');

  // Roles: exactly the pairs still configured, in their accounts; the untouched pair's roles were not recreated.
  const after = { a: await roles(env, A), b: await roles(env, B), obs: await roles(env, OBS) };
  expect(after.a).toEqual({ 'amp-xa-prod-to-audit-source': before.a['amp-xa-prod-to-audit-source'], 'amp-xa-prod-central-source': expect.any(String) });
  expect(after.obs).toEqual({ 'amp-xa-prod-to-audit-target': before.obs['amp-xa-prod-to-audit-target'], 'amp-xa-prod-central-target': expect.any(String) });
  expect(after.b).toEqual({});
  await expectPinned(env, 'prod-central', A);
  await expectPinned(env, 'prod-to-audit', A);
  await expectNoChangesIn(env, SPLIT_STACKS);
});
