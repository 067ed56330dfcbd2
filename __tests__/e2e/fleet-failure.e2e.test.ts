/**
 * A scraper that AMP fails (CREATION_FAILED, with its statusReason): the deploy fails with AWS's reason, and the
 * README's advice, deploy again, replaces it (the provider marks it tainted) and phase 2 pins the new one.
 */
import { E2eEnvironment, expectNoChanges as expectNoChangesIn, expectSuccess } from './harness';
import { A, FLEET_STACKS, createClusters, createWorkspaces, expectPinned, fleet, scrapersByAlias } from './fleet-fixture';

const env = new E2eEnvironment({});

beforeAll(async () => {
  await env.start();
  await createClusters(env);
  env.writeConfig(fleet(await createWorkspaces(env), [['prod-to-central', 'prod-eks', 'central']], false));
  await env.synthAndLock();
});
afterAll(() => env.stop());

test('a new scraper that AMP fails fails the deploy with its reason; the next deploy replaces it and pins the new one', async () => {
  env.emulator.failNext({
    operation: 'create',
    statusReason: 'The scraper cannot reach the cluster endpoint: create-fault-9c2e',
    match: { alias: 'prod-to-central' },
  });
  const failed = await env.deploy();
  expect(failed.code).not.toBe(0);
  expect(failed.output).toMatch(/unexpected state 'CREATION_FAILED'/);
  // cdktf wraps long lines: look for a token of the reason that cannot be split.
  expect(failed.output).toContain('create-fault-9c2e');
  const failedId = scrapersByAlias(env)['prod-to-central'].scraperId;

  expectSuccess(await env.deploy());
  const scraper = scrapersByAlias(env)['prod-to-central'];
  expect(scraper.scraperId).not.toBe(failedId);
  expect(scraper.status.statusCode).toBe('ACTIVE');
  expect(env.emulator.list().map((s: any) => s.scraperId)).toEqual([scraper.scraperId]);
  await expectPinned(env, 'prod-to-central', A);
  await expectNoChangesIn(env, FLEET_STACKS);
});
