/**
 * A deploy killed while AMP creates the scraper (SIGKILL of the whole process tree, local state): the scraper is in
 * AWS and not in state. `npm run status` says so and names the command; `npm run recover -- --apply` imports it; the
 * next deploy pins both trusts to it; then nothing changes. And the way most people find out: deploying again
 * without recovering makes a second scraper; status names the one state tracks and the command that deletes the
 * other; after it, exactly one scraper per pair. Killed in phase 2 between the source and the target batch: status
 * names the unpinned trust and the next deploy re-pins it. Killed while a removed pair's scraper is DELETING: status
 * lists what the state still tracks of the pair and says to wait; a deploy meanwhile fails saying the same; the
 * deploy after the deletion finishes the removal. A Ctrl-C (SIGINT to npm run deploy) while a new pair's scraper
 * is CREATING: the deploy shows where Terraform stopped and its last lines, recover untaints the scraper, the next
 * deploy keeps it (recovery-s3 does the same with S3 state). No deploy waits on a deletion (the provider's 8-minute
 * wait).
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { E2eEnvironment, exampleFleet, expectNoChanges, expectSuccess, waitFor } from './harness';
import {
  deployInterrupted,
  deployInterruptedWhileCreating,
  expectCtrlCRecovers,
  finalizerRunningFor,
  script as runScript,
  scrapersOf as scrapersIn,
  stateCheck,
  status as statusOf,
} from './interrupt';

const SOURCE = '111111111111';
// CREATING lasts 20 s: long enough to kill the deploy in it, short enough for the suite.
const env = new E2eEnvironment({}, { scraperTransitionMs: 20_000 });
let config: any;

const script = (name: string, args: string[] = []) => runScript(env, name, args);
const status = () => statusOf(env);
const scrapersOf = (alias: string) => scrapersIn(env, SOURCE, alias);
const deployKilledWhileCreating = (alias: string) => deployInterruptedWhileCreating(env, SOURCE, alias);

beforeAll(async () => {
  await env.start();
  config = exampleFleet();
  config.backend = { type: 'local', directory: 'state' };
  await env.provisionWorkspaces(config);
  await env.provisionClusters(config);
  await env.synthAndLock();
});
afterAll(() => env.stop());

test('killed while the scraper is CREATING: status names the untracked scraper and the command; recover imports it; deploy pins it', async () => {
  await deployKilledWhileCreating('prod-to-central');
  env.emulator.completeTransitions();
  const killed = await status();
  expect(killed.code).toBe(2);
  const check = stateCheck(killed.pairs, 'prod-to-central');
  expect(check).toMatchObject({ state: 'problem', summary: 'AWS has what the state of fleet-scrapers does not track' });
  const [scraper] = scrapersOf('prod-to-central');
  expect(check.details.join('\n')).toContain(`scraper ${scraper.scraperId}`);
  expect(check.details.join('\n')).toContain('npm run recover -- --apply');
  // The PR check and the post-deploy check too: every plan is empty (state knows nothing of it), yet exit 2.
  const prCheck = await env.diffAll();
  expect(prCheck.code).toBe(2);
  const summary = JSON.parse(readFileSync(path.join(env.workDir, 'cdktf.out', 'plan-summary.json'), 'utf8'));
  expect(summary.untracked).toMatchObject({ checked: true, findings: [{ pair: 'prod-to-central', stack: 'fleet-scrapers' }] });
  expect(summary.untracked.findings[0].lines.join('\n')).toMatch(new RegExp(`scraper ${scraper.scraperId} .*npm run recover -- --apply`));
  expect(prCheck.output).toContain(`pair prod-to-central: scraper ${scraper.scraperId}`);

  const dryRun = await script('recover.ts');
  expect(dryRun.code).toBe(2);
  const apply = await script('recover.ts', ['--apply']);
  expect({ code: apply.code, output: apply.code ? apply.output : '' }).toEqual({ code: 0, output: '' });
  expect(apply.output).toMatch(new RegExp(`pair prod-to-central: imported scraper ${scraper.scraperId}`));

  expectSuccess(await env.deploy());
  expect(scrapersOf('prod-to-central').map((s: any) => s.scraperId)).toEqual([scraper.scraperId]);
  await expectNoChanges(env, ['fleet-scrapers', 'fleet-trust']);
  const healthy = await status();
  expect({ code: healthy.code, pairs: healthy.code ? healthy.pairs : [] }).toEqual({ code: 0, pairs: [] });
  expect((await script('recover.ts')).code).toBe(0);
  const clean = await env.diffAll();
  expect({ code: clean.code, tail: clean.code ? clean.output.slice(-2000) : '' }).toEqual({ code: 0, tail: '' });
});

test('deploying again instead: a second scraper; status says which one state tracks and how to delete the other', async () => {
  config.pairs.push({
    name: 'prod-to-second',
    cluster: 'prod-eks',
    workspace: 'central',
    sourceRoleName: 'amp-xa-second-source',
    targetRoleName: 'amp-xa-second-target',
  });
  // The same workspace twice is refused (one pair per cluster and workspace): a second workspace for the new pair.
  config.workspaces.second = {
    account: config.workspaces.central.account,
    arn: (await env.aws(config.accounts.observability.id, ['amp', 'create-workspace', '--alias', 'second'])).arn,
  };
  config.pairs[1].workspace = 'second';
  env.writeConfig(config);
  await env.cdktf('synth');
  await deployKilledWhileCreating('prod-to-second');
  const [first] = scrapersOf('prod-to-second');
  env.emulator.completeTransitions();

  const again = env.deploy();
  await waitFor(async () => scrapersOf('prod-to-second').length === 2, 'the second deploy to create its scraper', 10 * 60_000);
  env.emulator.completeTransitions();
  expectSuccess(await again);
  const tracked = scrapersOf('prod-to-second').find((s: any) => s.scraperId !== first.scraperId)!;

  const two = await status();
  expect(two.code).toBe(2);
  const details = stateCheck(two.pairs, 'prod-to-second').details.join('\n');
  expect(details).toContain(`state tracks ${tracked.scraperId}; untracked: ${first.scraperId}`);
  expect(details).toContain(`npm run recover -- --delete-scraper ${first.scraperId}`);

  // The tracked one is never deleted this way; the untracked one is.
  const refused = await script('recover.ts', ['--delete-scraper', tracked.scraperId]);
  expect(refused.code).toBe(1);
  expect(refused.output).toContain(`scraper ${tracked.scraperId} is the one the state of fleet-scrapers tracks`);
  const deleted = await script('recover.ts', ['--delete-scraper', first.scraperId]);
  expect({ code: deleted.code, output: deleted.code ? deleted.output : '' }).toEqual({ code: 0, output: '' });
  env.emulator.completeTransitions();
  await waitFor(async () => scrapersOf('prod-to-second').length === 1, 'the duplicate to be deleted', 60_000);
  const healthy = await status();
  expect({ code: healthy.code, pairs: healthy.code ? healthy.pairs : [] }).toEqual({ code: 0, pairs: [] });
  await expectNoChanges(env, ['fleet-scrapers', 'fleet-trust']);
});

const SECOND = { source: 'amp-xa-second-source', target: 'amp-xa-second-target' };
const checkOf = (pairs: any[], pair: string, check: string) => pairs.find((p) => p.pair === pair)?.checks.find((c: any) => c.check === check);

async function expectConverged(): Promise<void> {
  await expectNoChanges(env, ['fleet-scrapers', 'fleet-trust']);
  const healthy = await status();
  expect({ code: healthy.code, pairs: healthy.code ? healthy.pairs : [] }).toEqual({ code: 0, pairs: [] });
  const clean = await env.diffAll();
  expect({ code: clean.code, tail: clean.code ? clean.output.slice(-2000) : '' }).toEqual({ code: 0, tail: '' });
}

test('killed in phase 2 after the source batch, before the target batch: status names the trust left unpinned; the next deploy pins it', async () => {
  const target = config.accounts.observability.id;
  // Both trusts edited by hand, so phase 2 has work: the drift trigger re-runs the finalizer of each.
  const handEdited = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'scraper.aps.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  await env.aws(SOURCE, ['iam', 'update-assume-role-policy', '--role-name', SECOND.source, '--policy-document', handEdited]);
  await env.aws(target, ['iam', 'update-assume-role-policy', '--role-name', SECOND.target, '--policy-document', handEdited]);
  await deployInterrupted(env, { holds: () => finalizerRunningFor(SECOND.target), what: `the finalizer of ${SECOND.target} running` });

  const killed = await status();
  expect(killed.code).toBe(2);
  expect(checkOf(killed.pairs, 'prod-to-second', 'source-trust').state).toBe('ok');
  expect(checkOf(killed.pairs, 'prod-to-second', 'target-trust')).toMatchObject({
    state: 'problem',
    summary: `role ${SECOND.target}: trust is not pinned to the live scraper; the next cdktf deploy pins it`,
  });
  expectSuccess(await env.deploy());
  expect(scrapersOf('prod-to-second')).toHaveLength(1);
  await expectConverged();
});

test("killed while a removed pair's scraper is DELETING: status lists the leftovers and says to wait; a deploy then finishes the removal", async () => {
  const [scraper] = scrapersOf('prod-to-second');
  config.pairs = config.pairs.filter((p: any) => p.name !== 'prod-to-second');
  delete config.workspaces.second;
  env.writeConfig(config);
  await env.cdktf('synth');
  await deployInterrupted(env, {
    holds: () => scrapersOf('prod-to-second').some((s: any) => s.status.statusCode === 'DELETING'),
    what: "the removed pair's scraper DELETING",
  });
  // AMP takes minutes to delete a scraper; the emulator's 20 s would end before the next commands look.
  env.emulator.holdTransition(scraper.scraperId);

  const killed = await status();
  expect(killed.code).toBe(2);
  const removed = checkOf(killed.pairs, 'prod-to-second', 'removed');
  expect(removed).toMatchObject({ state: 'problem', summary: expect.stringContaining(`still tracks scraper ${scraper.scraperId}, role ${SECOND.source}`) });
  expect(removed.details.join('\n')).toContain(`AMP is still deleting scraper ${scraper.scraperId}`);
  expect(removed.details.at(-1)).toMatch(/^wait until npm run status no longer shows it DELETING .*then run npm run deploy/);

  const meanwhile = await script('cdktf.ts', ['deploy', '--auto-approve', '--skip-provider-lock']);
  expect(meanwhile.code).not.toBe(0);
  expect(meanwhile.output).toContain(`AMP is still deleting scraper ${scraper.scraperId}`);
  expect(meanwhile.output).toContain('then deploy again: the deploy finishes the removal');

  env.emulator.completeTransitions();
  expect(scrapersOf('prod-to-second')).toEqual([]);
  expectSuccess(await env.deploy());
  expect(await env.awsError(SOURCE, ['iam', 'get-role', '--role-name', SECOND.source])).toContain('NoSuchEntity');
  expect(scrapersOf('prod-to-central')).toHaveLength(1);
  expect(JSON.stringify(await env.stateResources('fleet-scrapers'))).not.toContain('prod-to-second');
  await expectConverged();
});

test("Ctrl-C with local state while a new pair's scraper is CREATING: Terraform's last lines are shown; recover untaints it; the next deploy keeps it", async () => {
  config.pairs.push({ name: 'prod-to-third', cluster: 'prod-eks', workspace: 'third' });
  config.workspaces.third = {
    account: config.workspaces.central.account,
    arn: (await env.aws(config.accounts.observability.id, ['amp', 'create-workspace', '--alias', 'third'])).arn,
  };
  env.writeConfig(config);
  await env.cdktf('synth');
  await expectCtrlCRecovers(env, SOURCE, 'prod-to-third', { phase1: 'fleet-scrapers', phase2: 'fleet-trust' });
  expect(scrapersOf('prod-to-central')).toHaveLength(1);
});
