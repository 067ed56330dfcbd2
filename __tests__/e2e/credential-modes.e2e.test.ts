/**
 * Phase 2 acts as phase 1 in every credential mode, with nothing but Terraform and the provider: `cdktf deploy`
 * with Terraform 1.11 + hashicorp/aws 5.100.0 against moto and the scraper emulator, on a PATH with no AWS CLI and
 * no Python, and no AWS keys in the environment. Four accounts, one credential mode each:
 * - `profiled`: a named profile (role_arn + source_profile in the shared config file);
 * - `external`: a role assumed with an external ID and a session name (from a base profile);
 * - `webid`: web identity from a shared config file (role_arn + web_identity_token_file; moto answers
 *   AssumeRoleWithWebIdentity), the way HCP Terraform's dynamic credentials reach a provider;
 * - `hcp`: HCP Terraform-style per-account dynamic credentials: the account's tag selects
 *   var.tfc_aws_dynamic_credentials.aliases["<tag>"].shared_config_file, set here as HCP Terraform would
 *   (the run environment is emulated: no HCP Terraform is reached).
 * Then a plan that would replace a role is refused before any change. No scraper is destroyed (the environment is
 * just stopped), so the file takes a few minutes.
 */
import { writeFileSync } from 'fs';
import * as path from 'path';
import { E2eEnvironment, expectNoChanges, expectSuccess, run } from './harness';
import { sourceTrustPolicy, targetTrustPolicy } from '../../lib/iam-documents';
import { normalizePolicy } from '../support/policy';

const REGION = 'eu-west-1';
const ID = { profiled: '111111111111', external: '222222222222', webid: '333333333333', hcp: '444444444444' };
const EXTERNAL_ID = 'ext-e2e-7f3a';
const SESSION = 'amp-xa-e2e';
const TAG = 'OBSERVABILITY';
const PHASE1 = 'fleet-scrapers';
const PHASE2 = 'fleet-trust';
const deployer = (account: string) => `arn:aws:iam::${account}:role/amp-xa-deployer`;
const cluster = (name: string, account: string) => ({
  account,
  arn: `arn:aws:eks:${REGION}:${ID[account as keyof typeof ID]}:cluster/${name}`,
  subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
  securityGroupIds: ['sg-0123456789abcdef0'],
  authenticationMode: 'API_AND_CONFIG_MAP',
});

const fleet: any = {
  accounts: {
    profiled: { id: ID.profiled, region: REGION, credentials: { profile: 'profiled' } },
    external: {
      id: ID.external,
      region: REGION,
      credentials: { profile: 'base', assumeRoleArn: deployer(ID.external), externalId: EXTERNAL_ID, sessionName: SESSION },
    },
    // The shared config file's path is filled in by beforeAll (it lives in the work directory).
    webid: { id: ID.webid, region: REGION, credentials: { sharedConfigFiles: ['webid.config'] } },
    hcp: { id: ID.hcp, region: REGION, credentials: { hcpDynamicCredentialsTag: TAG } },
  },
  clusters: { 'a-eks': cluster('a-eks', 'profiled'), 'b-eks': cluster('b-eks', 'webid') },
  workspaces: {
    ext: { account: 'external', arn: 'pending' },
    obs: { account: 'hcp', arn: 'pending' },
  },
  pairs: [
    { name: 'a-to-ext', cluster: 'a-eks', workspace: 'ext' },
    { name: 'b-to-obs', cluster: 'b-eks', workspace: 'obs' },
  ],
};
const env = new E2eEnvironment(fleet, { withoutAwsCliOrPython: true });

/** A shared config file with a web identity profile, as HCP Terraform writes one per tag. */
function webIdentityConfig(file: string, account: string, token: string): string {
  writeFileSync(token, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvcmdhbml6YXRpb246YWNtZSJ9.c2lnbmF0dXJl\n');
  writeFileSync(file, `[default]\nrole_arn = ${deployer(account)}\nweb_identity_token_file = ${token}\nrole_session_name = ${SESSION}-webid\n`);
  return file;
}

beforeAll(async () => {
  await env.start();
  const dir = env.workDir;
  // What the user's runner provides: profiles in the shared files, no keys in the environment (they would take
  // precedence over every profile and file, and prove nothing); STS at the emulator for the web identity call.
  writeFileSync(path.join(dir, 'credentials'), '[base]\naws_access_key_id = AKIAE2EBASE000000000\naws_secret_access_key = e2e-secret\n');
  writeFileSync(
    path.join(dir, 'config'),
    `[profile base]\nregion = ${REGION}\n\n[profile profiled]\nrole_arn = ${deployer(ID.profiled)}\nsource_profile = base\n`,
  );
  const webid = webIdentityConfig(path.join(dir, 'webid.config'), ID.webid, path.join(dir, 'webid.token'));
  const hcp = webIdentityConfig(path.join(dir, 'hcp-observability.config'), ID.hcp, path.join(dir, 'hcp.token'));
  const { AWS_ACCESS_KEY_ID: _key, AWS_SECRET_ACCESS_KEY: _secret, ...rest } = env.baseEnv;
  env.baseEnv = {
    ...rest,
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'),
    AWS_CONFIG_FILE: path.join(dir, 'config'),
    AWS_ENDPOINT_URL_STS: env.baseEnv.AWS_ENDPOINT_URL,
    // What HCP Terraform sets for a workspace with TFC_AWS_PROVIDER_AUTH_OBSERVABILITY=true (emulated).
    TF_VAR_tfc_aws_dynamic_credentials: JSON.stringify({
      default: { shared_config_file: path.join(dir, 'no-default.config') },
      aliases: { [TAG]: { shared_config_file: hcp } },
    }),
  };
  fleet.accounts.webid.credentials.sharedConfigFiles = [webid];
  await env.provisionWorkspaces(fleet);
  // The preflight reads the clusters: they must exist, healthy.
  await env.provisionClusters(fleet);
  await env.synthAndLock();
}, 240_000);
afterAll(() => env.stop());

async function liveTrust(account: string, role: string): Promise<any> {
  return (await env.aws(account, ['iam', 'get-role', '--role-name', role])).Role;
}

test('Terraform and its finalizers see no aws and no python on their PATH', async () => {
  const which = await run('/bin/sh', ['-c', 'command -v aws || command -v python3 || command -v python || echo none'], { env: env.baseEnv });
  expect(which.output.trim()).toBe('none');
});

test('both phases deploy, and phase 2 pins every trust with the account credentials of phase 1, mode by mode', async () => {
  // A probe on STS: the first AssumeRole carrying the external ID and the session name answers 500 (retried by
  // the SDK); it is used up only if such a request was made.
  env.emulator.inject({ match: ['Action=AssumeRole&', `ExternalId=${EXTERNAL_ID}`, `RoleSessionName=${SESSION}`], status: 500, remaining: 1 });
  const before = env.emulator.requests.filter((r) => r.endsWith('AssumeRoleWithWebIdentity')).length;
  const result = await env.deploy();
  expectSuccess(result);
  expect(env.emulator.faults[0].remaining).toBe(0);
  env.emulator.clearFaults();
  // Web identity: both the webid account and the HCP-style one (phase 1 and phase 2, and each finalizer run).
  expect(env.emulator.requests.filter((r) => r.endsWith('AssumeRoleWithWebIdentity')).length - before).toBeGreaterThanOrEqual(4);
  // Every finalizer batch ran its Terraform-only module (cdktf wraps long lines: look for tokens that cannot be split).
  for (const account of Object.values(ID)) expect(result.output).toContain(`(${account})`);
  expect(result.output).toContain('pinned');

  for (const [pair, source, target] of [
    ['a-to-ext', 'profiled', 'external'],
    ['b-to-obs', 'webid', 'hcp'],
  ] as const) {
    const scrapers = env.emulator.list(ID[source]);
    expect(scrapers.map((s) => s.alias)).toEqual([pair]);
    const scraperArn = scrapers[0].arn;
    const side = { partition: 'aws', region: REGION, sourceAccount: ID[source] };
    const sourceRole = await liveTrust(ID[source], `amp-xa-${pair}-source`);
    const targetRole = await liveTrust(ID[target], `amp-xa-${pair}-target`);
    expect(normalizePolicy(sourceRole.AssumeRolePolicyDocument)).toEqual(normalizePolicy(sourceTrustPolicy(side, scraperArn)));
    expect(normalizePolicy(targetRole.AssumeRolePolicyDocument)).toEqual(
      normalizePolicy(targetTrustPolicy(side, `arn:aws:iam::${ID[source]}:role/amp-xa-${pair}-source`, scraperArn)),
    );
  }
});

test('a second deploy changes nothing', async () => {
  await expectNoChanges(env, [PHASE1, PHASE2]);
});

test('a plan that would replace a role is refused before any change, naming the role and the account', async () => {
  const role = 'amp-xa-a-to-ext-source';
  const handTrust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'scraper.aps.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  // Someone recreated the role under another path: importing it by name then plans a replacement (path forces one).
  const policies = (await env.aws(ID.profiled, ['iam', 'list-role-policies', '--role-name', role])).PolicyNames as string[];
  for (const name of policies) await env.aws(ID.profiled, ['iam', 'delete-role-policy', '--role-name', role, '--policy-name', name]);
  await env.aws(ID.profiled, ['iam', 'delete-role', '--role-name', role]);
  await env.aws(ID.profiled, ['iam', 'create-role', '--role-name', role, '--path', '/moved/', '--assume-role-policy-document', handTrust]);

  const refused = await env.cdktf('deploy', PHASE2, '--auto-approve', '--ignore-missing-stack-dependencies');
  expect(refused.code).not.toBe(0);
  // cdktf wraps long lines: the message's tokens that cannot be split.
  for (const token of [role, `(${ID.profiled}):`, 'refused,', 'path']) expect(refused.output).toContain(token);
  expect(refused.output).toMatch(/delete\+create|create\+delete/);
  expect(refused.output).not.toContain('terraform apply failed');
  // Nothing changed: the role is as it was left, path and trust.
  const live = await liveTrust(ID.profiled, role);
  expect(live.Path).toBe('/moved/');
  expect(normalizePolicy(live.AssumeRolePolicyDocument)).toEqual(normalizePolicy(JSON.parse(handTrust)));
});
