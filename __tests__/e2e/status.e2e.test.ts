/**
 * `npm run status` and `npm run --silent eks-access` against moto + the AMP scraper emulator, after a real
 * `cdktf deploy '*'` of the example pair (its workspace and EKS cluster created in moto first): healthy (exit 0);
 * a trust edited by hand (exit 2, the role named); a scraper that failed (exit 2, its reason shown, escaped);
 * credentials that land in the wrong account (exit 1). eks-access output parsed as YAML documents.
 * The scraper is never destroyed here (the provider waits 8 minutes on deletion): the environment just stops.
 */
import { spawn } from 'child_process';
import { writeFileSync } from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { E2eEnvironment, exampleFleet, expectSuccess, type RunResult } from './harness';
import { sourceTrustPolicy } from '../../lib/iam-documents';

const ROOT = path.join(__dirname, '..', '..');
const SOURCE = '111111111111';
const TARGET = '222222222222';
const REGION = 'eu-west-1';
const PAIR = 'prod-to-central';
const SOURCE_ROLE = `amp-xa-${PAIR}-source`;
const side = { partition: 'aws', region: REGION, sourceAccount: SOURCE };

const env = new E2eEnvironment({});
let config: any;

const script = (name: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult & { stdout: string }> => {
  // stdout alone (the harness's run() mixes both streams): eks-access must print YAML only there.
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', name), ...args], {
      // From the project directory, as a user runs it: status compares with the state of the stacks synthesized there.
      cwd: env.workDir,
      env: { ...env.baseEnv, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (d) => ((stdout += d), (output += d)));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, output }));
  });
};
const status = async (...args: string[]) => {
  const r = await script('status.ts', ['--json', ...args]);
  let json: any;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`status printed no JSON (exit ${r.code}):\n${r.output.slice(-3000)}`);
  }
  return { code: r.code, json, checks: Object.fromEntries(json.pairs[0].checks.map((c: any) => [c.check, c])) as Record<string, any> };
};

beforeAll(async () => {
  await env.start();
  const workspaceArn = (await env.aws(TARGET, ['amp', 'create-workspace', '--alias', 'central'])).arn;
  config = exampleFleet();
  config.workspaces.central.arn = workspaceArn;
  const cluster = config.clusters['prod-eks'];
  await env.aws(SOURCE, [
    'eks',
    'create-cluster',
    '--name',
    'prod-eks',
    '--role-arn',
    `arn:aws:iam::${SOURCE}:role/eks-cluster`,
    '--resources-vpc-config',
    `subnetIds=${cluster.subnetIds.join(',')}`,
  ]);
  env.writeConfig(config);
  await env.synthAndLock();
  expectSuccess(await env.deploy());
});
afterAll(() => env.stop());

test('after deploy the pair is healthy: exit 0, the scraper ACTIVE, both trusts pinned, least privilege; moto reports no authentication mode', async () => {
  const { code, json, checks } = await status();
  const [scraper] = env.emulator.list();
  expect(json).toMatchObject({
    version: 1,
    health: 'healthy',
    exitCode: 0,
    pairs: [{ pair: PAIR, health: 'healthy', scraper: { id: scraper.scraperId, arn: scraper.arn, status: 'ACTIVE' } }],
  });
  expect(Object.fromEntries(Object.entries(checks).map(([k, c]) => [k, c.state]))).toEqual({
    // AWS and the phase-1 state agree: nothing untracked.
    state: 'ok',
    scraper: 'ok',
    'source-trust': 'ok',
    'target-trust': 'ok',
    'source-permissions': 'ok',
    'target-permissions': 'ok',
    // moto's DescribeCluster has no accessConfig: said, not failed.
    'eks-authentication-mode': 'unknown',
  });
  expect(code).toBe(0);
  const table = await script('status.ts', []);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(new RegExp(`^pair ${PAIR}: healthy `, 'm'));
  expect(table.stdout).toMatch(/^1 pair: 1 healthy, 0 degraded, 0 unreadable -> healthy \(exit 0\)$/m);
});

test('eks-access prints YAML only: the RBAC manifest and the live scraper role, path stripped, for aws-auth', async () => {
  const rbac = await script('eks-access.ts', ['--pair', PAIR]);
  expect(rbac.code).toBe(0);
  const docs = parseAllDocuments(rbac.stdout);
  expect(docs.flatMap((d) => d.errors)).toEqual([]);
  expect(() => new ClusterRole(docs[0].toJS()).validate()).not.toThrow();
  expect(() => new ClusterRoleBinding(docs[1].toJS()).validate()).not.toThrow();
  expect(docs).toHaveLength(2);

  const awsAuth = await script('eks-access.ts', ['--pair', PAIR, '--aws-auth']);
  expect(awsAuth.code).toBe(0);
  const [scraper] = env.emulator.list();
  expect(parse(awsAuth.stdout)).toEqual([
    { rolearn: `arn:aws:iam::${SOURCE}:role/AWSServiceRoleForAmazonPrometheusScraper_${scraper.scraperId.slice(2, 17)}`, username: 'aps-collector-user' },
  ]);
});

test('status reads accounts through profiles too, and refuses credentials that land in another account (exit 1)', async () => {
  const awsConfig = path.join(env.workDir, 'no-aws-config');
  writeFileSync(
    awsConfig,
    [
      '[profile observability]',
      `role_arn = arn:aws:iam::${TARGET}:role/amp-xa-deployer`,
      'credential_source = Environment',
      `region = ${REGION}`,
      '[profile wrong]',
      `role_arn = arn:aws:iam::${SOURCE}:role/amp-xa-deployer`,
      'credential_source = Environment',
      `region = ${REGION}`,
      '',
    ].join('\n'),
  );
  const variant = path.join(env.workDir, 'profiles.json');
  const withProfile = (profile: string) => ({
    ...config,
    accounts: { ...config.accounts, observability: { ...config.accounts.observability, credentials: { profile } } },
  });

  writeFileSync(variant, JSON.stringify(withProfile('observability')));
  const viaProfile = await script('status.ts', ['--json'], { AMP_XA_CONFIG: variant });
  expect({ code: viaProfile.code, health: JSON.parse(viaProfile.stdout).health }).toEqual({ code: 0, health: 'healthy' });

  writeFileSync(variant, JSON.stringify(withProfile('wrong')));
  const wrong = await script('status.ts', ['--json'], { AMP_XA_CONFIG: variant });
  expect(wrong.code).toBe(1);
  const checks = JSON.parse(wrong.stdout).pairs[0].checks;
  expect(checks.find((c: any) => c.check === 'target-trust').summary).toContain(
    `the credentials for account observability reach account ${SOURCE}, not ${TARGET}`,
  );
  expect(checks.find((c: any) => c.check === 'source-trust').state).toBe('ok');
});

test('a workspace amp-xa creates is found by its alias in the target account (and missing when no workspace has it)', async () => {
  const variant = path.join(env.workDir, 'created.json');
  const created = (alias: string) => ({ ...config, workspaces: { central: { account: 'observability', create: { alias } } } });
  writeFileSync(variant, JSON.stringify(created('central')));
  const found = await script('status.ts', ['--json'], { AMP_XA_CONFIG: variant });
  expect({ code: found.code, health: JSON.parse(found.stdout).health }).toEqual({ code: 0, health: 'healthy' });

  writeFileSync(variant, JSON.stringify(created('cent')));
  const missing = await script('status.ts', ['--json'], { AMP_XA_CONFIG: variant });
  expect(missing.code).toBe(2);
  expect(JSON.parse(missing.stdout).pairs[0].checks.find((c: any) => c.check === 'target-permissions').summary).toBe(
    'workspace central not found: no workspace with alias cent (stack central-workspace not deployed?)',
  );
});

test('a trust edited by hand: degraded (exit 2), naming the role and what it is pinned to; repaired by hand: healthy again', async () => {
  const [scraper] = env.emulator.list();
  const elsewhere = `arn:aws:aps:${REGION}:${SOURCE}:scraper/s-00000000-0000-0000-0000-000000000000`;
  await env.aws(SOURCE, [
    'iam',
    'update-assume-role-policy',
    '--role-name',
    SOURCE_ROLE,
    '--policy-document',
    JSON.stringify(sourceTrustPolicy(side, elsewhere)),
  ]);
  const drifted = await status();
  expect(drifted.code).toBe(2);
  expect(drifted.json.health).toBe('degraded');
  expect(drifted.checks['source-trust']).toMatchObject({ state: 'problem', summary: expect.stringContaining(`role ${SOURCE_ROLE}`) });
  expect(drifted.checks['source-trust'].details[0]).toBe(`aws:SourceArn is pinned to ${elsewhere}; expected ${scraper.arn}`);
  expect(drifted.checks['target-trust'].state).toBe('ok');
  const table = await script('status.ts', ['--pair', PAIR]);
  expect(table.code).toBe(2);
  expect(table.stdout).toMatch(new RegExp(`source-trust +PROBLEM +role ${SOURCE_ROLE}: trust is not pinned`));

  await env.aws(SOURCE, [
    'iam',
    'update-assume-role-policy',
    '--role-name',
    SOURCE_ROLE,
    '--policy-document',
    JSON.stringify(sourceTrustPolicy(side, scraper.arn)),
  ]);
  expect((await status()).code).toBe(0);
});

test('a scraper that failed: degraded (exit 2), with its status reason, escaped', async () => {
  const [scraper] = env.emulator.list();
  const reason = 'The EKS cluster cannot be reached from subnet-0a1b2c3d4e5f60718\u001b[2J\u202e';
  // As AMP reports an update that failed (the emulator's setStatus; failNext needs a real update).
  env.emulator.setStatus(scraper.scraperId, 'UPDATE_FAILED', reason);
  const failed = await status();
  expect(failed.code).toBe(2);
  expect(failed.json.pairs[0].scraper).toMatchObject({
    id: scraper.scraperId,
    status: 'UPDATE_FAILED',
    statusReason: 'The EKS cluster cannot be reached from subnet-0a1b2c3d4e5f60718\\u{1b}[2J\\u{202e}',
  });
  expect(failed.checks.scraper).toMatchObject({ state: 'problem', summary: expect.stringContaining('UPDATE_FAILED: The EKS cluster cannot be reached') });
  const table = await script('status.ts', []);
  expect(table.code).toBe(2);
  expect(table.stdout).toContain('UPDATE_FAILED: The EKS cluster cannot be reached from subnet-0a1b2c3d4e5f60718\\u{1b}[2J\\u{202e}');
  expect(table.stdout).not.toMatch(/[\u001b\u202e]/);
});

test('a second scraper for the pair whose creation failed: degraded (exit 2), both listed with the failure reason', async () => {
  env.emulator.setStatus(env.emulator.list()[0].scraperId, 'ACTIVE');
  const cluster = config.clusters['prod-eks'];
  const scrape = 'global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: pods\n    kubernetes_sd_configs:\n      - role: pod\n';
  env.emulator.failNext({ operation: 'create', statusReason: 'Service quota exceeded for scrapers', match: { alias: PAIR } });
  const second = await env.aws(SOURCE, [
    'amp',
    'create-scraper',
    '--alias',
    PAIR,
    '--source',
    `eksConfiguration={clusterArn=${cluster.arn},subnetIds=[${cluster.subnetIds.join(',')}]}`,
    '--destination',
    `ampConfiguration={workspaceArn=${config.workspaces.central.arn}}`,
    '--role-configuration',
    `sourceRoleArn=arn:aws:iam::${SOURCE}:role/${SOURCE_ROLE},targetRoleArn=arn:aws:iam::${TARGET}:role/amp-xa-${PAIR}-target`,
    '--scrape-configuration',
    JSON.stringify({ configurationBlob: scrape }),
  ]);
  env.emulator.completeTransitions();
  const both = await status();
  expect(both.code).toBe(2);
  expect(both.checks.scraper).toMatchObject({ state: 'problem', summary: expect.stringMatching(/^2 scrapers match alias prod-to-central and cluster /) });
  expect(both.checks.scraper.details).toContain(`${second.scraperId} CREATION_FAILED: Service quota exceeded for scrapers`);
  // With no single scraper, the trusts have nothing to be compared with.
  expect(both.checks['source-trust'].state).toBe('unknown');
  // The hand-made one lacks amp-xa's tags: named as someone else's, and recovery would never touch it.
  expect(both.checks.state).toMatchObject({ state: 'problem' });
  expect(both.checks.state.details).toContainEqual(expect.stringMatching(new RegExp(`^not amp-xa's, left alone: scraper ${second.scraperId} `)));
});
