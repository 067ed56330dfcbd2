/**
 * Runs the real finalize script under /bin/sh against a fake AWS CLI that records every call,
 * so credentials handling, endpoints and failure propagation are tested without AWS.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { FINALIZE_COMMAND, FINALIZE_SCRIPT, finalizeEnvironment, EXPECT_QUERY } from '../lib/finalize-command';
import type { AccountRef } from '../lib/config/fleet';

const SCRAPER = 'arn:aws:aps:eu-west-1:111111111111:scraper/s-1';
const FAKE_AWS = `#!/bin/sh
echo "ARGS $*" >> "$FAKE_LOG"
echo "ENV key=$AWS_ACCESS_KEY_ID token=$AWS_SESSION_TOKEN profile=$AWS_PROFILE" >> "$FAKE_LOG"
case "$*" in
  *"sts assume-role"*) printf 'ASIAROLE\\tSECRETROLE\\tTOKENROLE\\n' ;;
  *"iam update-assume-role-policy"*) [ "$FAKE_FAIL_UPDATE" = 1 ] && { echo "An error occurred (ServiceFailure)" >&2; exit 255; }; exit 0 ;;
  *"iam get-role"*) echo "$FAKE_READBACK" ;;
esac
`;

function run(account: Partial<AccountRef['credentials']>, extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-finalize-'));
  const cli = path.join(dir, 'aws');
  writeFileSync(cli, FAKE_AWS);
  chmodSync(cli, 0o755);
  const log = path.join(dir, 'calls.log');
  writeFileSync(log, '');
  const env = finalizeEnvironment({
    account: { name: 'workload', id: '111111111111', region: 'eu-west-1', credentials: account },
    roleName: 'amp-xa-p-source',
    policy: '{"Version":"2012-10-17"}',
    expectQuery: EXPECT_QUERY.source,
    expectValue: SCRAPER,
    awsCli: cli,
  });
  const result = spawnSync('/bin/sh', ['-c', FINALIZE_COMMAND], {
    env: {
      PATH: process.env.PATH,
      AWS_ACCESS_KEY_ID: 'AKIABASE',
      ...env,
      AMP_XA_READBACK_TRIES: '2',
      AMP_XA_READBACK_DELAY: '0',
      FAKE_LOG: log,
      FAKE_READBACK: SCRAPER,
      ...extraEnv,
    },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls: readFileSync(log, 'utf8').trim().split('\n') };
}

test('ambient credentials: one update with the final document, then a read-back', () => {
  const r = run({});
  expect(r.status).toBe(0);
  const args = r.calls.filter((c) => c.startsWith('ARGS'));
  expect(args).toEqual([
    `ARGS --region eu-west-1 iam update-assume-role-policy --role-name amp-xa-p-source --policy-document {"Version":"2012-10-17"}`,
    `ARGS --region eu-west-1 iam get-role --role-name amp-xa-p-source --query ${EXPECT_QUERY.source} --output text`,
  ]);
  expect(r.calls[1]).toBe('ENV key=AKIABASE token= profile=');
  expect(r.stdout).toContain('finalizing trust of role amp-xa-p-source in account 111111111111');
});

test('profile: every call uses --profile', () => {
  const r = run({ profile: 'workload-admin' });
  expect(r.status).toBe(0);
  for (const c of r.calls.filter((c) => c.startsWith('ARGS'))) expect(c).toMatch(/^ARGS --profile workload-admin /);
});

test('assume role: STS first (with the profile and external ID), then IAM with the role session keys', () => {
  const r = run({ profile: 'sso', assumeRoleArn: 'arn:aws:iam::111111111111:role/deployer', externalId: 'ext-1', sessionName: 'ci' });
  expect(r.status).toBe(0);
  const args = r.calls.filter((c) => c.startsWith('ARGS'));
  expect(args[0]).toBe(
    'ARGS --profile sso --region eu-west-1 sts assume-role --role-arn arn:aws:iam::111111111111:role/deployer --role-session-name ci --external-id ext-1 --query Credentials.[AccessKeyId,SecretAccessKey,SessionToken] --output text',
  );
  expect(args[1]).toMatch(/^ARGS --region eu-west-1 iam update-assume-role-policy /);
  const envs = r.calls.filter((c) => c.startsWith('ENV'));
  expect(envs[1]).toBe('ENV key=ASIAROLE token=TOKENROLE profile=');
});

test('AWS_ENDPOINT_URL and service-specific endpoints are passed to the CLI', () => {
  const generic = run({ assumeRoleArn: 'arn:aws:iam::111111111111:role/deployer' }, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' });
  const args = generic.calls.filter((c) => c.startsWith('ARGS'));
  expect(args[0]).toMatch(/^ARGS --endpoint-url http:\/\/127\.0\.0\.1:4566 --region eu-west-1 sts assume-role /);
  expect(args[1]).toMatch(/^ARGS --endpoint-url http:\/\/127\.0\.0\.1:4566 --region eu-west-1 iam update-assume-role-policy /);
  const specific = run({}, { AWS_ENDPOINT_URL: 'http://generic', AWS_ENDPOINT_URL_IAM: 'http://iam-only' });
  expect(specific.calls.find((c) => c.includes('update-assume-role-policy'))).toMatch(/--endpoint-url http:\/\/iam-only /);
});

test('a failed update fails the finalizer loudly (non-zero exit, AWS error on stderr)', () => {
  const r = run({}, { FAKE_FAIL_UPDATE: '1' });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('ServiceFailure');
  expect(r.calls.some((c) => c.includes('get-role'))).toBe(false);
});

test('a read-back that never shows the scraper ARN fails after the configured tries', () => {
  const r = run({}, { FAKE_READBACK: 'arn:aws:aps:eu-west-1:111111111111:scraper/*' });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`still reads arn:aws:aps:eu-west-1:111111111111:scraper/* instead of ${SCRAPER}`);
  expect(r.calls.filter((c) => c.includes('get-role'))).toHaveLength(2);
});

test('the script contains no Terraform template syntax', () => {
  expect(FINALIZE_SCRIPT).not.toMatch(/\$\{|%\{/);
});
