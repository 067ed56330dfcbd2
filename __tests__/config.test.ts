import { EXAMPLES, exampleConfig, plan } from './support/fleet';
import { scratchDir } from './support/scratch';
import { existsSync, writeFileSync } from 'fs';
import * as path from 'path';
import { ConfigError, quotaWarnings } from '../lib/config/fleet';
import { synthFleetApp } from '../lib/fleet-app';
import { describeKind, describeValue, escapeText, formatPath } from '../lib/describe-value';

/** Problems reported for a config mutated from the example. */
function problems(mutate: (c: any) => void, base = 'single-pair.json'): string[] {
  const config = exampleConfig(base);
  mutate(config);
  try {
    plan(config);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('config was accepted');
}

test('the shipped examples are valid', () => {
  expect(plan(exampleConfig()).pairs).toHaveLength(1);
  expect(plan(exampleConfig('fleet.json')).pairs).toHaveLength(3);
});

test('defaults: local backend, terraform_data finalizer, alias and role names from the pair', () => {
  const fleet = plan(exampleConfig());
  // The state folder is the fleet's own, next to the config file (paths relative to the working directory).
  expect(fleet.fleet).toBe('fleet');
  expect(fleet.configuredBackend).toEqual({ type: 'local', directory: 'state' });
  expect(fleet.backend).toEqual({ type: 'local', directory: path.relative(process.cwd(), path.resolve(EXAMPLES, 'state', 'fleet')) });
  expect(fleet.finalizer).toEqual({ resource: 'terraform_data' });
  const [pair] = fleet.pairs;
  expect(pair).toMatchObject({
    alias: 'prod-to-central',
    sourceRoleName: 'amp-xa-prod-to-central-source',
    targetRoleName: 'amp-xa-prod-to-central-target',
    sourceRoleArn: 'arn:aws:iam::111111111111:role/amp-xa-prod-to-central-source',
    targetRoleArn: 'arn:aws:iam::222222222222:role/amp-xa-prod-to-central-target',
    partition: 'aws',
    region: 'eu-west-1',
  });
  expect(pair.cluster.authenticationMode).toBe('API_AND_CONFIG_MAP');
});

// Each case: how to break the example, and what the message must say (field path first).
const cases: Array<[string, (c: any) => void, RegExp]> = [
  [
    'malformed account ID',
    (c) => (c.accounts.workload.id = '1234'),
    /^accounts\.workload\.id: expected a 12-digit AWS account ID \(e\.g\. 111122223333\), got "1234"$/,
  ],
  ['account ID as a number', (c) => (c.accounts.workload.id = 111111111111), /^accounts\.workload\.id: expected a 12-digit AWS account ID, got 111111111111$/],
  ['malformed region', (c) => (c.accounts.workload.region = 'Europe'), /^accounts\.workload\.region: expected an AWS region/],
  [
    'malformed cluster ARN',
    (c) => (c.clusters['prod-eks'].arn = 'arn:aws:eks:eu-west-1:111111111111:prod-eks'),
    /^clusters\.prod-eks\.arn: expected an EKS cluster ARN/,
  ],
  [
    'malformed workspace ARN',
    (c) => (c.workspaces.central.arn = 'ws-123'),
    /^workspaces\.central\.arn: expected an AMP workspace ARN in a known partition \(aws, aws-cn, .*\) \(e\.g\. .*\), got "ws-123"$/,
  ],
  ['workspace with neither arn nor create', (c) => delete c.workspaces.central.arn, /^workspaces\.central: a workspace needs `account` plus either `arn`/],
  [
    'malformed subnet',
    (c) => (c.clusters['prod-eks'].subnetIds[1] = 'subnet-XYZ'),
    /^clusters\.prod-eks\.subnetIds\[1\]: expected a subnet ID .*got "subnet-XYZ"$/,
  ],
  [
    'too many subnets',
    (c) => (c.clusters['prod-eks'].subnetIds = Array.from({ length: 6 }, (_, i) => `subnet-0000000${i}`)),
    /^clusters\.prod-eks\.subnetIds: give 1 to 5 subnet IDs \(an AMP scraper limit\), got 6 items$/,
  ],
  ['no subnets', (c) => (c.clusters['prod-eks'].subnetIds = []), /^clusters\.prod-eks\.subnetIds: give 1 to 5 subnet IDs, got 0 items$/],
  [
    'too many security groups',
    (c) => (c.clusters['prod-eks'].securityGroupIds = Array.from({ length: 6 }, (_, i) => `sg-0000000${i}`)),
    /^clusters\.prod-eks\.securityGroupIds: give 1 to 5 security group IDs/,
  ],
  [
    'cluster ARN in another account',
    (c) => (c.clusters['prod-eks'].arn = 'arn:aws:eks:eu-west-1:999999999999:cluster/prod-eks'),
    /^clusters\.prod-eks\.arn: ARN account 999999999999 differs from account workload \(111111111111\)$/,
  ],
  [
    'cluster ARN in another region',
    (c) => (c.clusters['prod-eks'].arn = 'arn:aws:eks:eu-central-1:111111111111:cluster/prod-eks'),
    /^clusters\.prod-eks\.arn: ARN region eu-central-1 differs from account workload region eu-west-1$/,
  ],
  [
    'workspace in another region than the cluster',
    (c) => {
      c.accounts.observability.region = 'us-east-1';
      c.workspaces.central.arn = c.workspaces.central.arn.replace('eu-west-1', 'us-east-1');
    },
    /^pairs\[0\]: cluster prod-eks is in eu-west-1 but workspace central is in us-east-1; cluster, scraper and workspace must share a region$/,
  ],
  [
    'partition mismatch',
    (c) => (c.workspaces.central.arn = c.workspaces.central.arn.replace('arn:aws:', 'arn:aws-cn:')),
    /^workspaces\.central\.arn: ARN partition aws-cn does not match region eu-west-1/,
  ],
  ['unknown cluster', (c) => (c.pairs[0].cluster = 'nope'), /^pairs\[0\]\.cluster: unknown cluster "nope"; defined clusters: prod-eks$/],
  ['unknown workspace', (c) => (c.pairs[0].workspace = 'nope'), /^pairs\[0\]\.workspace: unknown workspace "nope"; defined workspaces: central$/],
  [
    'unknown account',
    (c) => (c.clusters['prod-eks'].account = 'nope'),
    /^clusters\.prod-eks\.account: unknown account "nope"; defined accounts: workload, observability$/,
  ],
  ['duplicate pair', (c) => c.pairs.push({ ...c.pairs[0], name: 'again' }), /^pairs\[1\]: duplicate pair prod-eks -> central \(same as pairs\[0\]\)/],
  [
    'duplicate pair name',
    (c) => {
      c.workspaces.other = { account: 'observability', arn: c.workspaces.central.arn.replace('ws-0123', 'ws-9999') };
      c.pairs.push({ ...c.pairs[0], workspace: 'other' });
    },
    /^pairs\[1\]\.name: "prod-to-central" is already used by pairs\[0\]/,
  ],
  [
    'same account on both sides',
    (c) => {
      c.accounts.observability.id = '111111111111';
      c.accounts.observability.credentials = {};
      c.workspaces.central.arn = c.workspaces.central.arn.replace('222222222222', '111111111111');
    },
    /^pairs\[0\]: cluster prod-eks and workspace central are both in account 111111111111/,
  ],
  [
    'role name over the IAM limit',
    (c) => (c.pairs[0].sourceRoleName = 'r'.repeat(65)),
    /^pairs\[0\]\.sourceRoleName: expected an IAM role name of at most 64 characters/,
  ],
  ['role name with bad characters', (c) => (c.pairs[0].targetRoleName = 'bad name!'), /^pairs\[0\]\.targetRoleName: expected an IAM role name/],
  ['pair name too long for derived role names', (c) => (c.pairs[0].name = 'p'.repeat(40)), /^pairs\[0\]\.name: expected pair name: 2-32 chars/],
  ['bad scraper alias', (c) => (c.pairs[0].alias = '-starts-with-dash'), /^pairs\[0\]\.alias: expected a scraper alias/],
  [
    'static keys in S3 backend config',
    (c) => (c.backend = { type: 's3', bucket: 'state-bucket', region: 'eu-west-1', accessKey: 'AKIA...', secretKey: 'x' }),
    /^backend\.accessKey: static credentials are not allowed in backend config/,
  ],
  [
    'token in cloud backend config',
    (c) => (c.backend = { type: 'cloud', organization: 'acme', token: 'secret' }),
    /^backend\.token: static credentials are not allowed/,
  ],
  ['unknown backend type', (c) => (c.backend = { type: 'gcs' }), /^backend\.type: must be one of local, s3, cloud; got "gcs"$/],
  ['unknown finalizer', (c) => (c.finalizer = { resource: 'local_exec' }), /^finalizer\.resource: /],
  ['unknown top-level field', (c) => (c.acounts = {}), /^acounts: unknown field/],
  ['unknown nested field', (c) => (c.clusters['prod-eks'].subnets = []), /^clusters\.prod-eks\.subnets: unknown field/],
  ['missing field', (c) => delete c.clusters['prod-eks'].arn, /^clusters\.prod-eks\.arn: required field is missing \(expected string\)$/],
  ['no pairs', (c) => (c.pairs = []), /^pairs: list at least one pair/],
  [
    'deployer role in another account',
    (c) => (c.accounts.workload.credentials.assumeRoleArn = 'arn:aws:iam::999999999999:role/x'),
    /^accounts\.workload\.credentials\.assumeRoleArn: role is in account 999999999999 but the account id is 111111111111/,
  ],
  [
    'a profile with a line break',
    (c) => (c.accounts.workload.credentials = { profile: 'my\nprofile' }),
    /^accounts\.workload\.credentials\.profile: expected a profile name without control or invisible characters .*, got "my\\nprofile"$/,
  ],
  [
    'a cluster ARN in an unknown partition',
    (c) => (c.clusters['prod-eks'].arn = 'arn:aws-xx:eks:eu-west-1:111111111111:cluster/prod-eks'),
    /^clusters\.prod-eks\.arn: expected an EKS cluster ARN in a known partition \(aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc\)/,
  ],
  [
    'an external ID with a space',
    (c) => (c.accounts.workload.credentials.externalId = 'a b'),
    /^accounts\.workload\.credentials\.externalId: expected an STS external ID/,
  ],
  [
    'missing scrape config file',
    (c) => (c.pairs[0].scrapeConfigFile = 'scrape/none.yaml'),
    /^pairs\[0\]\.scrapeConfigFile: cannot read .*scrape\/none\.yaml \(ENOENT\); paths are relative to the config file$/,
  ],
];

test.each(cases)('rejects %s, naming the field', (_name, mutate, expected) => {
  const found = problems(mutate);
  expect(found).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
});

test.each(cases)('the app rejects %s from a file and writes nothing to the output directory', (_name, mutate, expected) => {
  const dir = scratchDir('battery');
  const config = exampleConfig();
  mutate(config);
  writeFileSync(path.join(dir, 'fleet.json'), JSON.stringify(config));
  const lines: string[] = [];
  const outdir = path.join(dir, 'cdktf.out');
  expect(synthFleetApp({ configPath: path.join(dir, 'fleet.json'), outdir, log: (l) => lines.push(l) })).toBe(1);
  expect(
    lines
      .join('\n')
      .split('\n')
      .map((l) => l.replace(/^ {2}- /, '')),
  ).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  expect(existsSync(outdir)).toBe(false);
});

test('the same app synthesizes a valid config into the output directory', () => {
  const dir = scratchDir('battery');
  const outdir = path.join(dir, 'cdktf.out');
  expect(synthFleetApp({ configPath: path.join(__dirname, '..', 'examples', 'single-pair.json'), outdir, log: () => undefined })).toBe(0);
  expect(existsSync(path.join(outdir, 'stacks', 'fleet-trust', 'cdk.tf.json'))).toBe(true);
});

test('all problems are reported at once', () => {
  const found = problems((c) => {
    c.accounts.workload.id = 'x';
    c.pairs[0].alias = '!';
  });
  expect(found.length).toBeGreaterThanOrEqual(2);
  expect(found.some((p) => p.startsWith('accounts.workload.id'))).toBe(true);
  expect(found.some((p) => p.startsWith('pairs[0].alias'))).toBe(true);
});

test('an invalid scrape config file is rejected with its key path', () => {
  const dir = scratchDir('cfg');
  writeFileSync(`${dir}/bad.yaml`, 'global:\n  scrape_interval: 10s\nscrape_configs:\n  - job_name: a\n    static_configs: [{targets: ["x:1"]}]\n');
  const config = exampleConfig();
  config.pairs[0].scrapeConfigFile = 'bad.yaml';
  expect(() => plan(config, dir)).toThrow(/pairs\[0\]\.scrapeConfigFile \(bad\.yaml\) global\.scrape_interval: must be at least 30s/);
});

test('ConfigError escapes and bounds every problem line, whoever built it', () => {
  const e = new ConfigError('src\n\u001b[31m', [
    'a.b: x\n  - forged\u001b[0m\u202e',
    'c: ' + 'y'.repeat(10_000),
    'c: ' + 'y'.repeat(10_000),
    ...Array.from({ length: 60 }, (_, i) => `p${i}: z`),
  ]);
  expect(e.problems[0]).toBe('a.b: x\\n  - forged\\x1b[0m\\u202e');
  expect(e.problems[1]).toMatch(/^c: y+\.\.\. \(\d+ more characters\)$/);
  expect(e.problems[1].length).toBeLessThanOrEqual(430);
  expect(e.problems).toHaveLength(50);
  expect(e.omitted).toBe(12); // 63 problems, one a duplicate: 62, of which 50 shown
  expect(e.message.split('\n')).toHaveLength(52);
  expect(e.message).toMatch(/^invalid amp-xa config src\\n\\x1b\[31m:\n/);
  expect(e.message).toMatch(/^[\x20-\x7e\n]*$/);
  expect(e.message.endsWith('\n  ... and 12 more problems (fix the ones above first)')).toBe(true);
});

test('more than 10 scrapers per source account and region is a warning, not an error', () => {
  const config = exampleConfig();
  for (let i = 0; i < 11; i++) {
    config.workspaces[`ws-${i}`] = { account: 'observability', arn: `arn:aws:aps:eu-west-1:222222222222:workspace/ws-${i}abc` };
    config.pairs.push({ name: `p-${i}`, cluster: 'prod-eks', workspace: `ws-${i}` });
  }
  const fleet = plan(config);
  expect(quotaWarnings(fleet)).toEqual([expect.stringMatching(/^account\/region 111111111111 eu-west-1 gets 12 scrapers; the default AMP quota is 10/)]);
  expect(quotaWarnings(plan(exampleConfig()))).toEqual([]);
});

test.each([
  ['a\u202eb', '"a\\u202eb"'],
  ['tab\tnew\nline', '"tab\\tnew\\nline"'],
  ['\u001b[31m', '"\\u001b[31m"'],
  ['back\\slash', '"back\\\\slash"'],
  ['prod-\u0435ks', '"prod-\\u0435ks"'],
  ['\u{1f600}', '"\\u{1f600}"'],
  ['x'.repeat(500), `"${'x'.repeat(20)}"... (500 characters)`],
])('describeValue(%p) is %s: JSON, printable ASCII, bounded', (value, shown) => {
  expect(describeValue(value, value.length > 100 ? 22 : 80)).toBe(shown);
});

test('describeValue bounds structures; describeKind never shows content; escapeText and formatPath', () => {
  expect(describeValue(Array.from({ length: 100 }, (_, i) => i))).toBe('[0,1,2,3,4,... 95 more]');
  expect(describeValue({ a: { b: { c: { d: 1 } } } })).toBe('{"a":{"b":{1 key}}}');
  expect(describeValue(undefined)).toBe('nothing');
  expect(describeKind('hunter2')).toBe('a string of 7 characters');
  expect(describeKind({ password: 'hunter2' })).toBe('a mapping');
  expect(describeKind([1, 2])).toBe('a list of 2 items');
  expect(describeKind(Buffer.from('secret'))).toBe('binary data');
  expect(escapeText('\u0000\u007f\u0085\u2028\u{e0041}')).toBe('\\x00\\x7f\\u0085\\u2028\\u{e0041}');
  expect(escapeText('abcdef', 3)).toBe('abc... (3 more characters)');
  expect(formatPath(['accounts', 'prod-eks', 'ids', 1, 'a b', '__proto__'])).toBe('accounts.prod-eks.ids[1]["a b"].__proto__');
  expect(formatPath([0, 'x'])).toBe('[0].x');
});

describe('authenticationMode and allowAuthenticationModeMismatch (checked against the live cluster at plan time)', () => {
  test('stated: compared exactly; left out: API_AND_CONFIG_MAP assumed, not declared; no mismatch allowed by default', () => {
    expect(plan(exampleConfig()).pairs[0].cluster).toMatchObject({
      authenticationMode: 'API_AND_CONFIG_MAP',
      authenticationModeDeclared: true,
      allowAuthenticationModeMismatch: false,
    });
    const config = exampleConfig();
    delete config.clusters['prod-eks'].authenticationMode;
    expect(plan(config).pairs[0].cluster).toMatchObject({ authenticationMode: 'API_AND_CONFIG_MAP', authenticationModeDeclared: false });
    config.clusters['prod-eks'].authenticationMode = 'API';
    config.clusters['prod-eks'].allowAuthenticationModeMismatch = true;
    expect(plan(config).pairs[0].cluster).toMatchObject({ authenticationMode: 'API', allowAuthenticationModeMismatch: true });
  });

  test.each<[string, unknown, RegExp]>([
    ['a string', 'true', /^clusters\.prod-eks\.allowAuthenticationModeMismatch: expected true or false, got "true"$/],
    ['a number', 1, /^clusters\.prod-eks\.allowAuthenticationModeMismatch: expected true or false, got 1$/],
    ['null', null, /^clusters\.prod-eks\.allowAuthenticationModeMismatch: expected true or false, got null$/],
    ['an object', { __proto__: true }, /^clusters\.prod-eks\.allowAuthenticationModeMismatch: expected true or false/],
  ])('allowAuthenticationModeMismatch as %s is refused, naming the field', (_what, value, expected) => {
    expect(problems((c) => (c.clusters['prod-eks'].allowAuthenticationModeMismatch = value))).toEqual([expect.stringMatching(expected)]);
  });

  test('allowing a mismatch needs a stated mode: there is nothing to differ from otherwise', () => {
    expect(
      problems((c) => {
        delete c.clusters['prod-eks'].authenticationMode;
        c.clusters['prod-eks'].allowAuthenticationModeMismatch = true;
      }),
    ).toEqual([expect.stringMatching(/^clusters\.prod-eks\.allowAuthenticationModeMismatch: true needs authenticationMode: state the mode/)]);
  });

  test('a mode EKS does not have is refused, naming the field and the modes', () => {
    expect(problems((c) => (c.clusters['prod-eks'].authenticationMode = 'api'))).toEqual([
      expect.stringMatching(/^clusters\.prod-eks\.authenticationMode: .*API.*API_AND_CONFIG_MAP.*CONFIG_MAP/),
    ]);
  });
});

describe('credentials for phase 2 on Terraform alone: shared config files and HCP Terraform dynamic credentials', () => {
  const creds = (c: any) => c.accounts.workload.credentials;

  test('valid values are taken as written', () => {
    const config = exampleConfig();
    creds(config).sharedConfigFiles = ['/var/run/aws/config', 'relative ${x}/config'];
    creds(config).hcpDynamicCredentialsTag = 'WORKLOAD_1';
    const account = plan(config).pairs[0].source;
    expect(account.credentials).toMatchObject({ sharedConfigFiles: ['/var/run/aws/config', 'relative ${x}/config'], hcpDynamicCredentialsTag: 'WORKLOAD_1' });
  });

  test.each<[string, (c: any) => void, RegExp]>([
    [
      'a tag with a hyphen (not part of an environment variable name)',
      (c) => (creds(c).hcpDynamicCredentialsTag = 'work-load'),
      /^accounts\.workload\.credentials\.hcpDynamicCredentialsTag: expected an HCP Terraform dynamic credentials tag: 1-64 chars of \[A-Za-z0-9_\] \(it is the <TAG> of TFC_AWS_PROVIDER_AUTH_<TAG>\), got "work-load"$/,
    ],
    [
      'an empty tag',
      (c) => (creds(c).hcpDynamicCredentialsTag = ''),
      /^accounts\.workload\.credentials\.hcpDynamicCredentialsTag: expected an HCP Terraform dynamic credentials tag/,
    ],
    [
      'a tag with an interpolation',
      (c) => (creds(c).hcpDynamicCredentialsTag = '${var.x}'),
      /^accounts\.workload\.credentials\.hcpDynamicCredentialsTag: expected an HCP Terraform dynamic credentials tag/,
    ],
    [
      'a tag of 65 characters',
      (c) => (creds(c).hcpDynamicCredentialsTag = 'A'.repeat(65)),
      /hcpDynamicCredentialsTag: expected an HCP Terraform dynamic credentials tag/,
    ],
    [
      'a tag that is a number',
      (c) => (creds(c).hcpDynamicCredentialsTag = 7),
      /^accounts\.workload\.credentials\.hcpDynamicCredentialsTag: expected an HCP Terraform dynamic credentials tag, got 7$/,
    ],
    [
      'a tag with a profile (HCP Terraform writes only the default profile)',
      (c) => Object.assign(creds(c), { hcpDynamicCredentialsTag: 'W', profile: 'p' }),
      /^accounts\.workload\.credentials\.profile: profile cannot be combined with hcpDynamicCredentialsTag .*: remove one of them$/,
    ],
    [
      'no shared config file',
      (c) => (creds(c).sharedConfigFiles = []),
      /^accounts\.workload\.credentials\.sharedConfigFiles: give 1 to 10 shared config file paths, or leave the field out/,
    ],
    [
      'eleven shared config files',
      (c) => (creds(c).sharedConfigFiles = Array(11).fill('f')),
      /^accounts\.workload\.credentials\.sharedConfigFiles: give at most 10/,
    ],
    [
      'a shared config file that is empty',
      (c) => (creds(c).sharedConfigFiles = ['']),
      /^accounts\.workload\.credentials\.sharedConfigFiles\[0\]: expected a file path: not empty/,
    ],
    [
      'a shared config file with a line break',
      (c) => (creds(c).sharedConfigFiles = ['a\nb']),
      /^accounts\.workload\.credentials\.sharedConfigFiles\[0\]: expected a file path without control/,
    ],
    ['shared config files as a string', (c) => (creds(c).sharedConfigFiles = '/etc/aws/config'), /^accounts\.workload\.credentials\.sharedConfigFiles: /],
    [
      'the removed finalizer.awsCli',
      (c) => (c.finalizer = { awsCli: 'aws' }),
      /^finalizer\.awsCli: finalizer\.awsCli is no longer used: phase 2 pins trust with Terraform and the AWS provider alone, no AWS CLI; remove the field/,
    ],
  ])('%s is refused, naming the field and the fix', (_name, mutate, message) => {
    expect(problems(mutate)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });
});
