/**
 * The sandbox's pure parts (lib/sandbox/): what a fleet needs created, the config rewritten to what was created,
 * the AWS config and env files, the command line; and moto's discovery (missing or untested: one line, pinned).
 */
import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { UsageError } from '../lib/cli-options';
import { applyEnvironment, parseExports, renderEnvFile, sandboxEnvironment, shellQuote } from '../lib/sandbox/env';
import { awsConfigFile, BASE_CREDENTIALS, sandboxFleetConfig, sandboxNeeds, scrapeConfigFiles, type Provisioned } from '../lib/sandbox/fleet';
import { findMoto, MOTO_INSTALL, motoEnvironment, SandboxError, TESTED_MOTO_VERSION } from '../lib/sandbox/moto';
import { parseSandboxArgs } from '../lib/sandbox/options';
import { EXAMPLES, exampleConfig, plan } from './support/fleet';

const ROOT = path.join(__dirname, '..');

const fleetNeeds = () => sandboxNeeds(plan(exampleConfig('fleet.json')), exampleConfig('fleet.json'));

const made: Provisioned = {
  clusters: {
    'prod-eks': {
      arn: 'arn:aws:eks:eu-west-1:111111111111:cluster/prod-eks',
      subnetIds: ['subnet-aaaaaaaa', 'subnet-bbbbbbbb'],
      securityGroupIds: ['sg-11111111'],
    },
    'staging-eks': {
      arn: 'arn:aws:eks:eu-west-1:333333333333:cluster/staging-eks',
      subnetIds: ['subnet-cccccccc', 'subnet-dddddddd'],
      securityGroupIds: ['sg-22222222'],
    },
  },
  workspaces: { central: { arn: 'arn:aws:aps:eu-west-1:222222222222:workspace/ws-11111111-2222-3333-4444-555555555555' } },
};

describe('what the sandbox creates for a fleet (sandboxNeeds)', () => {
  test('examples/fleet.json: a deployer role per account, a network and cluster per cluster, only the workspace named by ARN', () => {
    const needs = fleetNeeds();
    expect(needs.accounts).toEqual([
      { name: 'workload-a', id: '111111111111', region: 'eu-west-1', deployerRoleArn: 'arn:aws:iam::111111111111:role/amp-xa-deployer', profile: 'workload-a' },
      { name: 'workload-b', id: '333333333333', region: 'eu-west-1', deployerRoleArn: 'arn:aws:iam::333333333333:role/amp-xa-deployer', profile: 'workload-b' },
      {
        name: 'observability',
        id: '222222222222',
        region: 'eu-west-1',
        deployerRoleArn: 'arn:aws:iam::222222222222:role/amp-xa-deployer',
        profile: 'observability',
      },
    ]);
    expect(needs.clusters).toEqual([
      { key: 'prod-eks', account: 'workload-a', name: 'prod-eks', subnets: 2, securityGroups: 1, authenticationMode: 'API_AND_CONFIG_MAP' },
      { key: 'staging-eks', account: 'workload-b', name: 'staging-eks', subnets: 2, securityGroups: 1, authenticationMode: 'CONFIG_MAP' },
    ]);
    // "audit" is created by amp-xa's own stack: the sandbox must not make it.
    expect(needs.workspaces).toEqual([{ key: 'central', account: 'observability', alias: 'central' }]);
  });

  test("an account's own assumeRoleArn is its deployer role; a lone subnet still gets the two zones AMP requires", () => {
    const config = exampleConfig('single-pair.json');
    config.accounts.workload.credentials.assumeRoleArn = 'arn:aws:iam::111111111111:role/platform/deployer';
    config.clusters['prod-eks'].subnetIds = ['subnet-0a1b2c3d4e5f60718'];
    config.clusters['prod-eks'].securityGroupIds = ['sg-0123456789abcdef0', 'sg-0123456789abcdef1'];
    const needs = sandboxNeeds(plan(config), config);
    expect(needs.accounts[0]).toMatchObject({ deployerRoleArn: 'arn:aws:iam::111111111111:role/platform/deployer', profile: 'workload' });
    expect(needs.clusters[0]).toMatchObject({ subnets: 2, securityGroups: 2 });
  });

  test('a profile name that cannot be an INI section header is refused, naming the field', () => {
    const config = exampleConfig('fleet.json');
    config.accounts['workload-a'].credentials.profile = 'team a]';
    expect(() => sandboxNeeds(plan(config), config)).toThrow(
      new SandboxError(
        'sandbox: accounts.workload-a.credentials.profile "team a]" cannot be written to an AWS config file; use letters, digits and _.+=,@- only',
      ),
    );
  });
});

describe('the sandbox fleet config (sandboxFleetConfig)', () => {
  const rewritten = () => sandboxFleetConfig(exampleConfig('fleet.json'), fleetNeeds(), made, { stateDir: '/sandbox/state', schema: '../amp-xa.schema.json' });

  test('takes the created IDs and a local backend, and keeps everything else as written', () => {
    const original = exampleConfig('fleet.json');
    const config = rewritten();
    expect(config.clusters['prod-eks']).toEqual({
      ...original.clusters['prod-eks'],
      subnetIds: ['subnet-aaaaaaaa', 'subnet-bbbbbbbb'],
      securityGroupIds: ['sg-11111111'],
    });
    // No security groups listed: none written (the scraper takes the cluster's), as in the example.
    expect(config.clusters['staging-eks']).toEqual({ ...original.clusters['staging-eks'], subnetIds: ['subnet-cccccccc', 'subnet-dddddddd'] });
    expect(config.workspaces).toEqual({ ...original.workspaces, central: { ...original.workspaces.central, arn: made.workspaces.central.arn } });
    expect(config.backend).toEqual({ type: 'local', directory: '/sandbox/state' });
    expect(config.$schema).toBe('../amp-xa.schema.json');
    for (const key of ['accounts', 'pairs', 'finalizer', 'tags']) expect({ key, value: config[key] }).toEqual({ key, value: original[key] });
  });

  test('is a valid fleet config whose plan uses the created cluster and workspace', () => {
    const fleet = plan(rewritten(), EXAMPLES);
    const pair = fleet.pairs.find((p) => p.name === 'prod-to-central')!;
    expect(pair.cluster).toMatchObject({ arn: made.clusters['prod-eks'].arn, subnetIds: made.clusters['prod-eks'].subnetIds });
    expect(pair.workspace).toMatchObject({ kind: 'existing', arn: made.workspaces.central.arn });
    expect(fleet.backend).toEqual({ type: 'local', directory: '/sandbox/state/fleet' });
  });

  test('does not change its input', () => {
    const raw = exampleConfig('fleet.json');
    const before = JSON.stringify(raw);
    sandboxFleetConfig(raw, fleetNeeds(), made, { stateDir: '/s' });
    expect(JSON.stringify(raw)).toBe(before);
  });

  test('an account with ambient credentials gets its profile (one set of base credentials lands in one account only)', () => {
    const config = exampleConfig('single-pair.json');
    config.accounts.workload.credentials = {};
    const needs = sandboxNeeds(plan(config), config);
    const out = sandboxFleetConfig(config, needs, { clusters: {}, workspaces: {} }, { stateDir: '/s' });
    expect(out.accounts.workload.credentials).toEqual({ profile: 'workload' });
    expect(out.accounts.observability.credentials).toEqual(config.accounts.observability.credentials);
    expect(out.$schema).toBeUndefined();
  });

  test('names the scrape config files to copy next to it', () => {
    expect(scrapeConfigFiles(exampleConfig('fleet.json'))).toEqual(['scrape/minimal.yaml']);
    expect(scrapeConfigFiles(exampleConfig('single-pair.json'))).toEqual([]);
  });
});

describe('the sandbox AWS config file', () => {
  const sessions = {
    'workload-a': { accessKeyId: 'ASIAA', secretAccessKey: 'sa', sessionToken: 'ta' },
    'workload-b': { accessKeyId: 'ASIAB', secretAccessKey: 'sb', sessionToken: 'tb' },
    observability: { accessKeyId: 'ASIAO', secretAccessKey: 'so', sessionToken: 'to' },
  };

  test('the base credentials as default, and per account a profile holding its deployer session', () => {
    const ini = awsConfigFile(fleetNeeds(), 'eu-west-1', sessions);
    const sections = Object.fromEntries(
      ini
        .split(/^\[/m)
        .slice(1)
        .map((s) => {
          const [header, ...lines] = s.split('\n');
          return [header.replace(/\]$/, ''), Object.fromEntries(lines.filter((l) => l.includes(' = ')).map((l) => l.split(' = ')))];
        }),
    );
    expect(sections).toEqual({
      default: { aws_access_key_id: BASE_CREDENTIALS.accessKeyId, aws_secret_access_key: BASE_CREDENTIALS.secretAccessKey, region: 'eu-west-1' },
      'profile workload-a': { aws_access_key_id: 'ASIAA', aws_secret_access_key: 'sa', aws_session_token: 'ta', region: 'eu-west-1' },
      'profile workload-b': { aws_access_key_id: 'ASIAB', aws_secret_access_key: 'sb', aws_session_token: 'tb', region: 'eu-west-1' },
      'profile observability': { aws_access_key_id: 'ASIAO', aws_secret_access_key: 'so', aws_session_token: 'to', region: 'eu-west-1' },
    });
    // No role_arn: the AWS CLI would cache those sessions in ~/.aws/cli/cache, where the next sandbox finds stale keys.
    expect(ini).not.toMatch(/role_arn|source_profile/);
  });

  test("an account without a session is an error, not a profile that lands in moto's default account", () => {
    const { observability: _, ...partial } = sessions;
    expect(() => awsConfigFile(fleetNeeds(), 'eu-west-1', partial)).toThrow('sandbox: no deployer session for account observability');
  });
});

describe('the sandbox environment and its env file', () => {
  const env = sandboxEnvironment({
    endpoint: 'http://127.0.0.1:4566',
    dir: '/work/.sandbox',
    region: 'eu-west-1',
    terraform: { TF_CLI_CONFIG_FILE: '/work/.sandbox/terraform/terraformrc', AMP_XA_PROVIDER_MIRROR: '/opt/mirror' },
  });

  test('points every AWS client and amp-xa at the sandbox', () => {
    expect(env.set).toMatchObject({
      AMP_XA_CONFIG: '/work/.sandbox/fleet.json',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:4566',
      AWS_CONFIG_FILE: '/work/.sandbox/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/work/.sandbox/aws-credentials',
      AWS_ACCESS_KEY_ID: BASE_CREDENTIALS.accessKeyId,
      AWS_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      TF_CLI_CONFIG_FILE: '/work/.sandbox/terraform/terraformrc',
      AMP_XA_PROVIDER_MIRROR: '/opt/mirror',
    });
    expect(env.unset).toEqual(expect.arrayContaining(['AWS_PROFILE', 'AWS_SESSION_TOKEN']));
  });

  test('a command run in it keeps the caller environment but for the AWS selection it replaces', () => {
    const out = applyEnvironment({ PATH: '/bin', AWS_PROFILE: 'prod', AWS_SESSION_TOKEN: 'real', AWS_ENDPOINT_URL: 'https://aws' }, env);
    expect(out).toMatchObject({ PATH: '/bin', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' });
    expect(out).not.toHaveProperty('AWS_PROFILE');
    expect(out).not.toHaveProperty('AWS_SESSION_TOKEN');
  });

  test('sourced by sh, the env file sets exactly its values, expanding nothing in them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-sandbox-env-'));
    try {
      const hostile = `/tmp/it's $(touch ${dir}/pwned) \`id\` $HOME \\n "q"`;
      const file = path.join(dir, 'env');
      writeFileSync(file, renderEnvFile({ set: { ...env.set, AMP_XA_CONFIG: hostile }, unset: env.unset }, ['a comment line']));
      const r = spawnSync('sh', ['-c', '. "$1" && node -e "process.stdout.write(JSON.stringify(process.env))"', 'sh', file], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, AWS_PROFILE: 'prod' },
      });
      expect(r.status).toBe(0);
      const seen = JSON.parse(r.stdout);
      expect(seen.AMP_XA_CONFIG).toBe(hostile);
      expect(seen.AWS_ENDPOINT_URL).toBe('http://127.0.0.1:4566');
      expect(seen).not.toHaveProperty('AWS_PROFILE');
      expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.trim()).toBe('env');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('shellQuote and parseExports read back what scripts/offline-terraform.sh prints', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(parseExports("export TF_CLI_CONFIG_FILE='/x y/terraformrc'\nexport CHECKPOINT_DISABLE=1\nnoise\n")).toEqual({
      TF_CLI_CONFIG_FILE: '/x y/terraformrc',
      CHECKPOINT_DISABLE: '1',
    });
  });
});

describe('npm run sandbox command line (parseSandboxArgs)', () => {
  test.each([
    [[], { mode: 'foreground', dir: '.sandbox', command: [] }],
    [['--background'], { mode: 'background', dir: '.sandbox', command: [] }],
    [['--stop', '--dir', 'sb'], { mode: 'stop', dir: 'sb', command: [] }],
    [['--config=examples/single-pair.json', '--background'], { mode: 'background', config: 'examples/single-pair.json', dir: '.sandbox', command: [] }],
    [['npm', 'run', 'deploy', '--', '--auto-approve'], { mode: 'run', dir: '.sandbox', command: ['npm', 'run', 'deploy', '--', '--auto-approve'] }],
    [['--', '--weird-command', '-x'], { mode: 'run', dir: '.sandbox', command: ['--weird-command', '-x'] }],
    [['aws', 'sts', 'get-caller-identity', '--help'], { mode: 'run', dir: '.sandbox', command: ['aws', 'sts', 'get-caller-identity', '--help'] }],
    [['-h'], { mode: 'help', dir: '.sandbox', command: [] }],
  ])('%j', (argv, expected) => {
    expect(parseSandboxArgs(argv)).toEqual(expected);
  });

  test.each([
    [['--background', '--stop'], 'sandbox: --stop cannot be combined with --background'],
    [['--stop', 'ls'], 'sandbox: --stop takes no command, got "ls"'],
    [['--config'], 'sandbox: --config needs a value'],
    [['--stop', '--config', 'x.json'], 'sandbox: --stop takes no --config (it stops whatever runs in --dir)'],
    [['--bogus'], 'sandbox: unknown option "--bogus"; a command comes after the options (npm run sandbox -- --help)'],
  ])('%j is refused', (argv, message) => {
    expect(() => parseSandboxArgs(argv)).toThrow(new UsageError(message));
  });
});

describe('finding moto (findMoto)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-moto-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A moto_server whose shebang's "python" answers the version import with `version`. */
  function fakeMoto(version: string) {
    const python = path.join(dir, 'python3');
    writeFileSync(python, `#!/bin/sh\necho ${version}\n`);
    writeFileSync(path.join(dir, 'moto_server'), `#!${python}\n`);
    chmodSync(python, 0o755);
    chmodSync(path.join(dir, 'moto_server'), 0o755);
    return { PATH: `${dir}:/usr/bin:/bin` };
  }

  test('missing from PATH: one line saying exactly what to install, pinned', () => {
    expect(() => findMoto({ PATH: dir })).toThrow(
      new SandboxError(`sandbox: moto_server is not on PATH; install moto ${TESTED_MOTO_VERSION}: ${MOTO_INSTALL}`),
    );
    expect(MOTO_INSTALL).toBe(`pip install 'moto[server]==${TESTED_MOTO_VERSION}'`);
  });

  test('another version: found, with one warning line naming the pinned install', () => {
    const found = findMoto(fakeMoto('4.2.0'));
    expect(found.path).toBe(path.join(dir, 'moto_server'));
    expect(found.warning).toBe(
      `sandbox: moto 4.2.0 at ${path.join(dir, 'moto_server')} is not the tested ${TESTED_MOTO_VERSION}; if anything fails, install it: ${MOTO_INSTALL}`,
    );
  });

  test("moto runs without the caller's AWS settings (a profile of theirs breaks moto's own boto3)", () => {
    expect(motoEnvironment({ PATH: '/bin', HOME: '/h', AWS_PROFILE: 'prod', AWS_ACCESS_KEY_ID: 'AKIA', AWS_ENDPOINT_URL: 'http://x' })).toEqual({
      PATH: '/bin',
      HOME: '/h',
    });
  });

  test('the tested version: no warning', () => {
    expect(findMoto(fakeMoto(TESTED_MOTO_VERSION))).toEqual({ path: path.join(dir, 'moto_server') });
  });
});

describe('npm run sandbox without moto (scripts/sandbox.ts)', () => {
  test.each([[[]], [['--background']], [['true']]])('%j: one line naming the pinned install, exit 1, nothing started or written', (args) => {
    const base = mkdtempSync(path.join(tmpdir(), 'amp-xa-sandbox-nomoto-'));
    try {
      const dir = path.join(base, 'sb');
      const r = spawnSync(
        process.execPath,
        ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'sandbox.ts'), '--dir', dir, ...args],
        {
          encoding: 'utf8',
          env: { PATH: path.dirname(process.execPath), HOME: base },
          timeout: 60_000,
        },
      );
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
        status: 1,
        stdout: '',
        stderr: `sandbox: moto_server is not on PATH; install moto ${TESTED_MOTO_VERSION}: ${MOTO_INSTALL}\n`,
      });
      expect(readdirSync(base)).toEqual([]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
