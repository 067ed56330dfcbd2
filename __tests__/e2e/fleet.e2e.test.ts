/**
 * The fleet as a platform team runs it: three accounts, four pairs, deployed and finalized by one
 * `cdktf deploy '*'` into the default layout (one phase-1 and one phase-2 stack for the whole fleet); then the
 * fleet split into two units by moving an account (its scraper and roles imported, not replaced), a unit's last
 * account removed (its leftover state reported), and destroy of both units leaving nothing in any account.
 * Removing and renaming pairs is fleet-removal.e2e (its own environment, so the two files' deletions overlap).
 */
import { E2eEnvironment, expectNoChanges as expectNoChangesIn, expectSuccess } from './harness';
import {
  A,
  ALL_PAIRS,
  B,
  FLEET_STACKS,
  OBS,
  SPLIT_STACKS,
  inTeamB,
  createClusters,
  createWorkspaces,
  expectPinned,
  fleet,
  roles,
  scrapersByAlias,
} from './fleet-fixture';

const env = new E2eEnvironment({});
let workspaces: Record<string, string> = {};
const scraperIds = new Map<string, string>();

beforeAll(async () => {
  await env.start();
  workspaces = await createWorkspaces(env);
  await createClusters(env);
  env.writeConfig(fleet(workspaces, ALL_PAIRS));
  await env.synthAndLock();
});
afterAll(() => env.stop());

test('one cdktf deploy creates and finalizes every pair of a multi-account fleet, in one pair of stacks', async () => {
  expectSuccess(await env.deploy());
  const byAlias = scrapersByAlias(env);
  expect(Object.keys(byAlias).sort()).toEqual(['dev-to-central', 'prod-to-audit', 'prod-to-central', 'staging-to-central']);
  for (const [alias, s] of Object.entries<any>(byAlias)) {
    scraperIds.set(alias, s.scraperId);
    expect(s.status.statusCode).toBe('ACTIVE');
  }
  expect(env.emulator.list(A)).toHaveLength(3);
  expect(env.emulator.list(B)).toHaveLength(1);
  for (const pair of ['prod-to-central', 'prod-to-audit', 'dev-to-central']) await expectPinned(env, pair, A);
  await expectPinned(env, 'staging-to-central', B);
});

test('a second deploy changes nothing', async () => {
  await expectNoChangesIn(env, FLEET_STACKS);
});

test('moving an account into its own unit imports its pair there and forgets it in the old unit: same scraper, same roles', async () => {
  const before = { b: await roles(env, B), obs: await roles(env, OBS) };
  env.writeConfig(fleet(workspaces, ALL_PAIRS, { ...inTeamB, movedFrom: 'fleet' }));
  const diff = await env.cdktf('diff', 'team-b-scrapers');
  expectSuccess(diff);
  // The provider reads an imported scraper's configuration blob back in another form and plans an in-place update
  // (as adoption does); nothing is created, replaced or destroyed.
  expect(diff.output).toMatch(/Plan: 5 to import, 0 to add, [01] to change, 0 to destroy/);
  expect(diff.output).not.toMatch(/must be replaced/);
  expectSuccess(await env.deploy());
  expect(scrapersByAlias(env)['staging-to-central'].scraperId).toBe(scraperIds.get('staging-to-central'));
  expect(env.emulator.list()).toHaveLength(4);
  expect(await roles(env, B)).toEqual(before.b);
  expect(await roles(env, OBS)).toEqual(before.obs);
  await expectPinned(env, 'staging-to-central', B);
  // movedFrom may stay until it is convenient to remove it: both sides are no-ops once the move is done.
  await expectNoChangesIn(env, SPLIT_STACKS);
  const state = (stack: string) => env.stateResources(stack);
  expect((await state('team-b-scrapers')).filter((a) => a.includes('staging-to-central'))).toHaveLength(5);
  expect((await state('fleet-scrapers')).filter((a) => a.includes('staging-to-central'))).toEqual([]);
  // Once moved, movedFrom can go: nothing changes either way.
  env.writeConfig(fleet(workspaces, ALL_PAIRS, inTeamB));
  await env.cdktf('synth');
  await expectNoChangesIn(env, SPLIT_STACKS);
});

test("a unit's last account removed from the config while its state remains is reported by synth with the way to destroy it", async () => {
  env.writeConfig(fleet(workspaces, ALL_PAIRS.slice(0, 3), false));
  const synth = await env.cdktf('synth');
  expectSuccess(synth);
  expect(synth.output).toMatch(/orphaned state of stack team-b-scrapers \(no longer in the app\)/);
  expect(synth.output).toMatch(/orphaned state of stack team-b-trust \(no longer in the app\)/);
  expect(synth.output.replace(/\s+/g, ' ')).toMatch(/put an account with "unit": "team-b" and no clusters back in the config/);
});

test('destroy of a fleet in two units leaves nothing in any account', async () => {
  env.writeConfig(fleet(workspaces, ALL_PAIRS, inTeamB));
  const result = await env.destroy();
  expectSuccess(result);
  expect(env.emulator.list()).toEqual([]);
  for (const id of [A, B, OBS]) expect({ id, roles: await roles(env, id) }).toEqual({ id, roles: {} });
});
