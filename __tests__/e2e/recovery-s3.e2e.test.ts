/**
 * A deploy killed (SIGKILL, whole process tree) while AMP creates the scraper, with S3 state and S3 locking: the
 * lock object stays and Terraform had not written the state yet. The next deploy fails on the lock and the wrapper
 * prints the exact command that releases it (no Terraform runs there any more); after it, status names what AWS
 * has and the state lacks, recover imports it, and the deploy after that pins both trusts without creating anything
 * twice. A Ctrl-C (SIGINT to cdktf, as a terminal sends it) leaves the scraper tainted: recover untaints it, so the
 * next deploy keeps it instead of replacing it.
 */
import * as path from 'path';
import { E2eEnvironment, exampleFleet, expectNoChanges, expectSuccess, run } from './harness';
import { deployInterruptedWhileCreating, expectCtrlCRecovers, script, scrapersOf, stateCheck, status } from './interrupt';

const ROOT = path.join(__dirname, '..', '..');
const SOURCE = '111111111111';
const BUCKET = 'amp-xa-e2e-recovery';
const env = new E2eEnvironment({}, { scraperTransitionMs: 20_000 });
let config: any;

beforeAll(async () => {
  await env.start();
  config = exampleFleet();
  config.backend = { type: 's3', bucket: BUCKET, region: 'eu-west-1', keyPrefix: 'e2e', usePathStyle: true };
  await env.provisionWorkspaces(config);
  await env.provisionClusters(config);
  await env.awsBase(['s3api', 'create-bucket', '--bucket', BUCKET, '--create-bucket-configuration', 'LocationConstraint=eu-west-1']);
  await env.synthAndLock();
});
afterAll(() => env.stop());

test('killed with S3 state: the stale lock is named with its release command; then status, recover and deploy converge', async () => {
  await deployInterruptedWhileCreating(env, SOURCE, 'prod-to-central');
  env.emulator.completeTransitions();
  const keys = (await env.awsBase(['s3api', 'list-objects-v2', '--bucket', BUCKET])).Contents.map((o: { Key: string }) => o.Key);
  expect(keys).toContain('e2e/fleet/fleet-scrapers.tfstate.tflock');

  // The deploy wrapper, as a user or CI runs it (npm run deploy -- --auto-approve).
  const locked = await run(
    process.execPath,
    ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'cdktf.ts'), 'deploy', '--auto-approve'],
    {
      cwd: env.workDir,
      env: env.baseEnv,
    },
  );
  expect(locked.code).not.toBe(0);
  const hint =
    /amp-xa: the state of fleet-scrapers is locked .*no Terraform process on this machine works in cdktf.out\/stacks\/fleet-scrapers: the deploy that took it was killed\. Release it with: (terraform -chdir=\S+ force-unlock -force \S+)/.exec(
      locked.output,
    );
  expect({ hint: Boolean(hint), tail: hint ? '' : locked.output.slice(-3000) }).toEqual({ hint: true, tail: '' });
  // Asynchronously: the emulator answering Terraform's S3 calls lives in this process.
  expectSuccess(await run('sh', ['-c', hint![1]], { cwd: env.workDir, env: env.baseEnv }));

  const killed = await status(env);
  expect(killed.code).toBe(2);
  const [scraper] = scrapersOf(env, SOURCE, 'prod-to-central');
  expect(stateCheck(killed.pairs, 'prod-to-central').details.join('\n')).toContain(`scraper ${scraper.scraperId}`);
  const apply = await script(env, 'recover.ts', ['--apply']);
  expect({ code: apply.code, output: apply.code ? apply.output : '' }).toEqual({ code: 0, output: '' });

  expectSuccess(await env.deploy());
  expect(scrapersOf(env, SOURCE, 'prod-to-central').map((s: any) => s.scraperId)).toEqual([scraper.scraperId]);
  await expectNoChanges(env, ['fleet-scrapers', 'fleet-trust']);
  const healthy = await status(env);
  expect({ code: healthy.code, output: healthy.code ? healthy.output : '' }).toEqual({ code: 0, output: '' });
  const clean = await env.diffAll();
  expect({ code: clean.code, tail: clean.code ? clean.output.slice(-2000) : '' }).toEqual({ code: 0, tail: '' });
});

test('Ctrl-C while the scraper is CREATING: tainted in state; recover untaints it and the next deploy keeps it', async () => {
  config.pairs.push({ name: 'prod-to-audit', cluster: 'prod-eks', workspace: 'audit' });
  config.workspaces.audit = {
    account: 'observability',
    arn: (await env.aws(config.accounts.observability.id, ['amp', 'create-workspace', '--alias', 'audit'])).arn,
  };
  env.writeConfig(config);
  await env.cdktf('synth');
  // Ctrl-C on npm run deploy: the wrapper says where Terraform stopped, what the interruption left and what to run next.
  await expectCtrlCRecovers(env, SOURCE, 'prod-to-audit', { phase1: 'fleet-scrapers', phase2: 'fleet-trust' });
});
