/**
 * Runs the real finalize script against a fake AWS CLI that records every call, argument by argument,
 * so credentials handling, endpoints, quoting and failure propagation are tested without AWS:
 * - under /bin/sh, with the environment unescaped the way Terraform unescapes it (fast, many cases);
 * - under real Terraform (`terraform_data` + local-exec, built in, offline), with hostile values in every
 *   user-supplied field, as the trust stack synthesizes it: the proof that each reaches the CLI as one
 *   exact argument.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'fs';
import * as path from 'path';
import { FINALIZE_COMMAND, FINALIZE_SCRIPT, FINALIZE_SCRIPT_PATH, finalizeEnvironment, EXPECT_QUERY } from '../lib/finalize-command';
import { PINNED_ARN_QUERY } from '../lib/iam-documents';
import { literal } from '../lib/terraform-expr';
import type { AccountRef } from '../lib/config/fleet';
import { scratchDir } from './support/scratch';

const SCRAPER = 'arn:aws:aps:eu-west-1:111111111111:scraper/s-1';
const REGION = 'eu-west-1';
const CREDS_QUERY = 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]';

/**
 * Records each call as NUL-terminated fields: the argument count, the arguments, then the credentials
 * environment. Answers by service and operation: the first two words that are not option values.
 */
const FAKE_AWS = String.raw`#!/bin/sh
{
  printf '%s\0' "$#"
  for arg in "$@"; do printf '%s\0' "$arg"; done
  printf '%s\0' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" "$AWS_PROFILE"
} >> "$FAKE_LOG"
service= op= skip=
for arg in "$@"; do
  if [ -n "$skip" ]; then skip=; continue; fi
  case $arg in
    --*) skip=1 ;;
    *) if [ -z "$service" ]; then service=$arg; elif [ -z "$op" ]; then op=$arg; fi ;;
  esac
done
case "$service $op" in
  "sts assume-role") [ "$FAKE_EMPTY_CREDS" = 1 ] || printf 'ASIAROLE\tSECRETROLE\tTOKENROLE\n' ;;
  "iam update-assume-role-policy") if [ "$FAKE_FAIL_UPDATE" = 1 ]; then echo "An error occurred (ServiceFailure)" >&2; exit 255; fi ;;
  "iam get-role") printf '%s\n' "$FAKE_READBACK" ;;
  *) echo "fake aws: unexpected call: $service $op" >&2; exit 2 ;;
esac
`;

interface Call {
  args: string[];
  env: { key: string; secret: string; token: string; profile: string };
}

function readCalls(log: string): Call[] {
  const fields = readFileSync(log, 'utf8').split('\0');
  const calls: Call[] = [];
  let i = 0;
  while (i < fields.length - 1) {
    const n = Number(fields[i++]);
    const args = fields.slice(i, i + n);
    i += n;
    const [key, secret, token, profile] = fields.slice(i, i + 4);
    i += 4;
    calls.push({ args, env: { key, secret, token, profile } });
  }
  return calls;
}

function fakeCli(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const cli = path.join(dir, 'aws');
  writeFileSync(cli, FAKE_AWS);
  chmodSync(cli, 0o755);
  return cli;
}

/** What Terraform makes of a literal string in its JSON syntax: `$${` -> `${`, `%%{` -> `%{`. */
function asTerraformReads(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/([$%])\1\{/g, '$1{')]));
}

function account(credentials: Partial<AccountRef['credentials']>): AccountRef {
  return { name: 'workload', id: '111111111111', region: REGION, credentials } as AccountRef;
}

function run(credentials: Partial<AccountRef['credentials']>, extraEnv: Record<string, string> = {}, overrides: Record<string, string> = {}) {
  const dir = scratchDir('finalize');
  const log = path.join(dir, 'calls.log');
  writeFileSync(log, '');
  const env = finalizeEnvironment({
    account: account(credentials),
    roleName: 'amp-xa-p-source',
    policy: '{"Version":"2012-10-17"}',
    expectQuery: PINNED_ARN_QUERY.source,
    expectValue: SCRAPER,
    awsCli: fakeCli(dir),
  });
  const result = spawnSync('/bin/sh', ['-c', FINALIZE_COMMAND], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      AWS_ACCESS_KEY_ID: 'AKIABASE',
      ...asTerraformReads(env),
      AMP_XA_READBACK_TRIES: '2',
      AMP_XA_READBACK_DELAY: '0',
      FAKE_LOG: log,
      FAKE_READBACK: SCRAPER,
      ...overrides,
      ...extraEnv,
    },
    encoding: 'utf8',
  });
  const calls = readCalls(log);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

const update = (role = 'amp-xa-p-source', policy = '{"Version":"2012-10-17"}') => [
  'iam',
  'update-assume-role-policy',
  '--role-name',
  role,
  '--policy-document',
  policy,
];
const getRole = (role = 'amp-xa-p-source') => ['iam', 'get-role', '--role-name', role, '--query', PINNED_ARN_QUERY.source, '--output', 'text'];
const region = ['--region', REGION];

describe('under /bin/sh', () => {
  test('ambient credentials: one update with the final document, then a read-back', () => {
    const r = run({});
    expect(r.status).toBe(0);
    expect(r.calls.map((c) => c.args)).toEqual([
      [...region, ...update()],
      [...region, ...getRole()],
    ]);
    expect(r.calls[0].env).toEqual({ key: 'AKIABASE', secret: '', token: '', profile: '' });
    expect(r.stdout).toContain('finalizing trust of role amp-xa-p-source in account 111111111111');
  });

  test('profile: every call uses --profile', () => {
    const r = run({ profile: 'workload-admin' });
    expect(r.status).toBe(0);
    expect(r.calls.map((c) => c.args)).toEqual([
      ['--profile', 'workload-admin', ...region, ...update()],
      ['--profile', 'workload-admin', ...region, ...getRole()],
    ]);
  });

  test('assume role: STS first (with the profile and external ID), then IAM with the role session keys', () => {
    const r = run(
      { profile: 'sso', assumeRoleArn: 'arn:aws:iam::111111111111:role/deployer', externalId: 'ext-1', sessionName: 'ci' },
      {},
      { AWS_PROFILE: 'ambient' },
    );
    expect(r.status).toBe(0);
    expect(r.calls.map((c) => c.args)).toEqual([
      [
        '--profile',
        'sso',
        ...region,
        'sts',
        'assume-role',
        '--role-arn',
        'arn:aws:iam::111111111111:role/deployer',
        '--role-session-name',
        'ci',
        '--external-id',
        'ext-1',
        '--query',
        CREDS_QUERY,
        '--output',
        'text',
      ],
      [...region, ...update()],
      [...region, ...getRole()],
    ]);
    expect(r.calls[0].env).toEqual({ key: 'AKIABASE', secret: '', token: '', profile: 'ambient' });
    expect(r.calls[1].env).toEqual({ key: 'ASIAROLE', secret: 'SECRETROLE', token: 'TOKENROLE', profile: '' });
    expect(r.calls[2].env).toEqual(r.calls[1].env);
  });

  test('assume role without external ID or session name: no --external-id, the default session name', () => {
    const r = run({ assumeRoleArn: 'arn:aws:iam::111111111111:role/deployer' });
    expect(r.status).toBe(0);
    expect(r.calls[0].args).toEqual([
      ...region,
      'sts',
      'assume-role',
      '--role-arn',
      'arn:aws:iam::111111111111:role/deployer',
      '--role-session-name',
      'amp-xa',
      '--query',
      CREDS_QUERY,
      '--output',
      'text',
    ]);
  });

  test('AWS_ENDPOINT_URL and service-specific endpoints are passed to the CLI', () => {
    const generic = run({ assumeRoleArn: 'arn:aws:iam::111111111111:role/deployer' }, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' });
    expect(generic.calls.map((c) => c.args.slice(0, 6))).toEqual([
      ['--endpoint-url', 'http://127.0.0.1:4566', ...region, 'sts', 'assume-role'],
      ['--endpoint-url', 'http://127.0.0.1:4566', ...region, 'iam', 'update-assume-role-policy'],
      ['--endpoint-url', 'http://127.0.0.1:4566', ...region, 'iam', 'get-role'],
    ]);
    const specific = run(
      { profile: 'p', assumeRoleArn: 'arn:aws:iam::111111111111:role/deployer' },
      { AWS_ENDPOINT_URL: 'http://generic', AWS_ENDPOINT_URL_IAM: 'http://iam-only', AWS_ENDPOINT_URL_STS: 'http://sts-only' },
    );
    expect(specific.calls.map((c) => c.args.slice(0, 6))).toEqual([
      ['--profile', 'p', '--endpoint-url', 'http://sts-only', ...region],
      ['--endpoint-url', 'http://iam-only', ...region, 'iam', 'update-assume-role-policy'],
      ['--endpoint-url', 'http://iam-only', ...region, 'iam', 'get-role'],
    ]);
  });

  test('a failed update fails the finalizer loudly (non-zero exit, AWS error on stderr)', () => {
    const r = run({}, { FAKE_FAIL_UPDATE: '1' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('ServiceFailure');
    expect(r.stderr).toContain('amp-xa: could not update the trust policy of role amp-xa-p-source');
    expect(r.calls.some((c) => c.args.includes('get-role'))).toBe(false);
  });

  test('an assume-role that returns no credentials fails before any IAM call', () => {
    const r = run({ assumeRoleArn: 'arn:aws:iam::111111111111:role/deployer' }, { FAKE_EMPTY_CREDS: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('amp-xa: assuming role arn:aws:iam::111111111111:role/deployer returned no credentials');
    expect(r.calls).toHaveLength(1);
  });

  test('a read-back that never shows the scraper ARN fails after the configured tries', () => {
    const r = run({}, { FAKE_READBACK: 'arn:aws:aps:eu-west-1:111111111111:scraper/amp-xa-unpinned' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`still reads arn:aws:aps:eu-west-1:111111111111:scraper/amp-xa-unpinned instead of ${SCRAPER}`);
    expect(r.calls.filter((c) => c.args.includes('get-role'))).toHaveLength(2);
  });

  test.each(['AMP_XA_AWS_CLI', 'AMP_XA_REGION', 'AMP_XA_ROLE_NAME', 'AMP_XA_POLICY', 'AMP_XA_EXPECT_QUERY', 'AMP_XA_EXPECT_VALUE'])(
    'an empty %s fails before any call, naming the variable',
    (name) => {
      const r = run({}, {}, { [name]: '' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`amp-xa: ${name} is empty`);
      expect(r.calls).toEqual([]);
    },
  );
});

describe('the script and its environment', () => {
  test('FINALIZE_SCRIPT is the shell file, byte for byte', () => {
    expect(FINALIZE_SCRIPT).toBe(readFileSync(FINALIZE_SCRIPT_PATH, 'utf8'));
    expect(FINALIZE_SCRIPT).toMatch(/^#!\/bin\/sh\n/);
  });

  test('the script contains no Terraform template syntax, so the synthesized JSON shows it as written', () => {
    expect(FINALIZE_SCRIPT).not.toMatch(/\$\{|%\{/);
    expect(
      finalizeEnvironment({ account: account({}), roleName: 'r', policy: 'p', expectQuery: 'q', expectValue: 'v', awsCli: 'aws' }).AMP_XA_FINALIZE_SCRIPT,
    ).toBe(FINALIZE_SCRIPT);
  });

  test('literals are escaped for Terraform; the policy and the expected value stay expressions', () => {
    const env = finalizeEnvironment({
      account: account({ profile: 'p-${x}', assumeRoleArn: 'arn:aws:iam::111111111111:role/r', externalId: 'e-%{x}', sessionName: 's-${x}' }),
      roleName: 'role-${x}',
      policy: '${jsonencode(local.doc)}',
      expectQuery: PINNED_ARN_QUERY.target,
      expectValue: '${local.scraper_arn}',
      awsCli: '/opt/${x}/aws',
    });
    expect(env).toMatchObject({
      AMP_XA_PROFILE: 'p-$${x}',
      AMP_XA_EXTERNAL_ID: 'e-%%{x}',
      AMP_XA_SESSION_NAME: 's-$${x}',
      AMP_XA_ROLE_NAME: 'role-$${x}',
      AMP_XA_AWS_CLI: '/opt/$${x}/aws',
      AMP_XA_POLICY: '${jsonencode(local.doc)}',
      AMP_XA_EXPECT_VALUE: '${local.scraper_arn}',
      AMP_XA_EXPECT_QUERY: PINNED_ARN_QUERY.target,
    });
  });

  test('EXPECT_QUERY is still exported, as PINNED_ARN_QUERY', () => {
    expect(EXPECT_QUERY).toBe(PINNED_ARN_QUERY);
  });
});

/** Values that break unquoted or re-parsed shell, or Terraform templates; every one must arrive as is. */
const HOSTILE: Record<string, string> = {
  glob: 'prod-*',
  spaces: ' two  spaces ',
  home: '$HOME',
  interpolation: '${HOME}',
  directive: '%{ if true }x%{ endif }',
  escapedLooking: '$${HOME} %%{x} $$',
  backticks: '`touch pwned`',
  subshell: '$(touch pwned)',
  semicolon: 'x;touch pwned;',
  newlines: 'line1\nline2\n',
  quotes: `it's "quoted"`,
  backslashes: 'a\\nb\\',
  tab: 'a\tb',
  optionLike: '--debug',
};

describe('under real Terraform: terraform_data + local-exec, as the trust stack synthesizes it', () => {
  const root = scratchDir('finalize-tf');
  const home = path.join(root, 'home');
  const policyOf = (value: string) => ({
    Version: '2012-10-17',
    Statement: [{ Sid: 'S', Effect: 'Allow', Condition: { StringEquals: { 'sts:ExternalId': value } } }],
  });
  const cases = Object.entries(HOSTILE).flatMap(([name, value]) =>
    [true, false].map((assume) => ({ id: `${name}_${assume ? 'assume' : 'profile'}`, value, assume })),
  );
  let apply: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    mkdirSync(home);
    // `prod-*` would glob-expand to this file if the profile were ever unquoted.
    writeFileSync(path.join(root, 'prod-x'), '');
    const resources: Record<string, unknown> = {};
    const locals: Record<string, unknown> = { scraper_arn: SCRAPER };
    for (const c of cases) {
      locals[`policy_${c.id}`] = JSON.parse(literal(JSON.stringify(policyOf(c.value))));
      const env = finalizeEnvironment({
        account: account({
          profile: c.value,
          ...(c.assume ? { assumeRoleArn: `arn:aws:iam::111111111111:role/${c.value}`, externalId: c.value, sessionName: c.value } : {}),
        }),
        roleName: c.value,
        policy: `\${jsonencode(local.policy_${c.id})}`,
        expectQuery: PINNED_ARN_QUERY.source,
        expectValue: '${local.scraper_arn}',
        awsCli: fakeCli(path.join(root, 'cli', c.id, c.value.replace(/\//g, '_'))),
      });
      const log = path.join(root, `${c.id}.log`);
      writeFileSync(log, '');
      resources[c.id] = {
        provisioner: [
          {
            'local-exec': {
              command: FINALIZE_COMMAND,
              interpreter: ['/bin/sh', '-c'],
              environment: { ...env, AMP_XA_READBACK_TRIES: '2', AMP_XA_READBACK_DELAY: '0', FAKE_LOG: literal(log), FAKE_READBACK: SCRAPER },
            },
          },
        ],
      };
    }
    writeFileSync(path.join(root, 'main.tf.json'), JSON.stringify({ locals, resource: { terraform_data: resources } }, null, 2));
    writeFileSync(path.join(root, 'cli.tfrc'), '');
    const env = { ...process.env, HOME: home, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: path.join(root, 'cli.tfrc') };
    const init = spawnSync('terraform', ['init', '-input=false', '-no-color'], { cwd: root, env, encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`terraform init failed:\n${init.stdout}${init.stderr}`);
    apply = spawnSync('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], { cwd: root, env, encoding: 'utf8' });
  }, 120_000);

  test('terraform apply succeeds: every finalizer ran and read back the pinned ARN', () => {
    expect({ status: apply.status, stderr: apply.stderr }).toEqual({ status: 0, stderr: '' });
    expect(apply.stdout).toContain(`Apply complete! Resources: ${cases.length} added`);
  });

  test('nothing was executed from a value', () => {
    expect(existsSync(path.join(root, 'pwned'))).toBe(false);
    expect(existsSync(path.join(home, 'pwned'))).toBe(false);
  });

  test.each(cases.map((c) => [c.id, c] as const))('%s: each value reaches the CLI as one exact argument', (_id, c) => {
    // The policy is a Terraform expression (jsonencode): compare what it encodes, not Terraform's spelling.
    const calls = readCalls(path.join(root, `${c.id}.log`)).map((call) =>
      call.args.map((a, i) => (call.args[i - 1] === '--policy-document' ? JSON.parse(a) : a)),
    );
    const policy = policyOf(c.value) as unknown as string;
    const iamPrefix = c.assume ? region : ['--profile', c.value, ...region];
    expect(calls).toEqual([
      ...(c.assume
        ? [
            [
              '--profile',
              c.value,
              ...region,
              'sts',
              'assume-role',
              '--role-arn',
              `arn:aws:iam::111111111111:role/${c.value}`,
              '--role-session-name',
              c.value,
              '--external-id',
              c.value,
              '--query',
              CREDS_QUERY,
              '--output',
              'text',
            ],
          ]
        : []),
      [...iamPrefix, ...update(c.value, policy)],
      [...iamPrefix, ...getRole(c.value)],
    ]);
  });
});
