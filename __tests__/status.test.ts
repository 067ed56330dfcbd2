/**
 * `npm run status`: each check is a pure function of the pair's plan and a live snapshot. Fixtures are built
 * the way IAM answers (URL-encoded documents, other spellings of the same policy); each check has a healthy
 * and an unhealthy case. Then the report's exit codes, the escaping of AWS text, and the command's refusals.
 */
import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import * as path from 'path';
import { sourceSide, type PairPlan } from '../lib/config/fleet';
import { sourcePermissionsPolicy, sourceTrustPolicy, targetPermissionsPolicy, targetTrustPolicy } from '../lib/iam-documents';
import {
  checkAuthenticationMode,
  checkScraper,
  checkSourcePermissions,
  checkSourceTrust,
  checkTargetPermissions,
  checkTargetTrust,
  pairReport,
  statusReport,
} from '../lib/status/checks';
import { found, missing, readError, type LiveNetwork, type LiveRole, type LiveScraper, type PairSnapshot } from '../lib/status/model';
import { decodePolicyDocument, normalizePolicy, samePolicy } from '../lib/status/policy';
import { renderJson, renderTable } from '../lib/status/render';
import { READ_ACTIONS } from '../lib/status/fetch';
import { untrusted } from '../lib/status/text';
import { checkCluster, checkNetwork, checkWorkspace } from '../lib/status/preflight';
import { exampleConfig, plan } from './support/fleet';

const pair: PairPlan = plan(exampleConfig()).pairs[0];
const workspaceArn = pair.workspace.kind === 'existing' ? pair.workspace.arn : '';
const SCRAPER_ARN = `arn:aws:aps:eu-west-1:111111111111:scraper/s-11111111-2222-3333-4444-555555555555`;
const OTHER_SCRAPER_ARN = `arn:aws:aps:eu-west-1:111111111111:scraper/s-99999999-2222-3333-4444-555555555555`;

/** What IAM returns: URL-encoded JSON. */
const asIam = (doc: unknown) => decodePolicyDocument(encodeURIComponent(JSON.stringify(doc)));

const scraper = (over: Partial<LiveScraper> = {}): LiveScraper => ({
  scraperId: 's-11111111-2222-3333-4444-555555555555',
  arn: SCRAPER_ARN,
  alias: pair.alias,
  statusCode: 'ACTIVE',
  roleArn: 'arn:aws:iam::111111111111:role/aws-service-role/scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraper_1',
  clusterArn: pair.cluster.arn,
  workspaceArn,
  sourceRoleArn: pair.sourceRoleArn,
  targetRoleArn: pair.targetRoleArn,
  ...over,
});

const sourceRole = (over: Partial<LiveRole> = {}): LiveRole => ({
  name: pair.sourceRoleName,
  arn: pair.sourceRoleArn,
  trust: asIam(sourceTrustPolicy(sourceSide(pair), SCRAPER_ARN)),
  inline: [{ name: 'amp-xa-assume-target', document: asIam(sourcePermissionsPolicy(pair.targetRoleArn)) }],
  attached: [],
  ...over,
});

const targetRole = (over: Partial<LiveRole> = {}): LiveRole => ({
  name: pair.targetRoleName,
  arn: pair.targetRoleArn,
  trust: asIam(targetTrustPolicy(sourceSide(pair), pair.sourceRoleArn, SCRAPER_ARN)),
  inline: [{ name: 'amp-xa-remote-write', document: asIam(targetPermissionsPolicy(workspaceArn)) }],
  attached: [],
  ...over,
});

const network = (over: Partial<LiveNetwork> = {}): LiveNetwork => ({
  vpc: { id: 'vpc-1', dnsSupport: true, dnsHostnames: true },
  subnets: pair.cluster.subnetIds.map((id, i) => ({ id, vpcId: 'vpc-1', availabilityZone: `eu-west-1${'ab'[i % 2]}` })),
  securityGroups: (pair.cluster.securityGroupIds ?? []).map((id) => ({ id, vpcId: 'vpc-1' })),
  ...over,
});

const healthy = (over: Partial<PairSnapshot> = {}): PairSnapshot => ({
  scrapers: found([scraper()]),
  workspaceArn: found(workspaceArn),
  sourceRole: found(sourceRole()),
  targetRole: found(targetRole()),
  cluster: found({ authenticationMode: pair.cluster.authenticationMode, status: 'ACTIVE', endpointPrivateAccess: true, vpcId: 'vpc-1' }),
  network: found(network()),
  workspace: found({ arn: workspaceArn, status: 'ACTIVE' }),
  ...over,
});

describe('scraper', () => {
  test('healthy: one ACTIVE scraper, wired to the configured cluster, workspace and roles', () => {
    expect(checkScraper(pair, healthy())).toMatchObject({ state: 'ok', summary: 's-11111111-2222-3333-4444-555555555555 ACTIVE' });
  });

  test('a failed scraper is a problem that shows its status and reason', () => {
    const r = checkScraper(
      pair,
      healthy({ scrapers: found([scraper({ statusCode: 'CREATION_FAILED', statusReason: 'subnets are not in the cluster VPC' })]) }),
    );
    expect(r).toMatchObject({ state: 'problem', summary: expect.stringContaining('CREATION_FAILED: subnets are not in the cluster VPC') });
  });

  test('no scraper, two scrapers, or an adopted ID that does not exist are problems', () => {
    expect(checkScraper(pair, healthy({ scrapers: found([]) }))).toMatchObject({
      state: 'problem',
      summary: expect.stringContaining(`no scraper found with alias ${pair.alias}`),
    });
    expect(
      checkScraper(
        pair,
        healthy({ scrapers: found([scraper(), scraper({ scraperId: 's-2', arn: OTHER_SCRAPER_ARN, statusCode: 'CREATION_FAILED', statusReason: 'quota' })]) }),
      ),
    ).toMatchObject({
      state: 'problem',
      summary: expect.stringContaining('2 scrapers match'),
      details: ['s-11111111-2222-3333-4444-555555555555 ACTIVE', 's-2 CREATION_FAILED: quota'],
    });
    const adopted = { ...pair, adopt: { scraperId: 's-gone', allowReplacement: false } };
    expect(checkScraper(adopted, healthy({ scrapers: missing('ResourceNotFoundException: Scraper s-gone not found') }))).toMatchObject({
      state: 'problem',
      summary: expect.stringContaining('adopt.scraperId s-gone'),
    });
  });

  test('an ACTIVE scraper wired to other roles or another workspace is a problem naming what differs', () => {
    const r = checkScraper(
      pair,
      healthy({
        scrapers: found([
          scraper({ targetRoleArn: 'arn:aws:iam::222222222222:role/other', workspaceArn: 'arn:aws:aps:eu-west-1:222222222222:workspace/ws-other' }),
        ]),
      }),
    );
    expect(r.state).toBe('problem');
    expect(r.details).toEqual([
      `destination workspace is arn:aws:aps:eu-west-1:222222222222:workspace/ws-other; expected ${workspaceArn}`,
      `target role is arn:aws:iam::222222222222:role/other; expected ${pair.targetRoleArn}`,
    ]);
  });

  test('an unreadable account is an error, not a problem', () => {
    expect(checkScraper(pair, healthy({ scrapers: readError('AccessDeniedException: no') })).state).toBe('error');
  });
});

describe('source trust', () => {
  test('healthy: the final document for the live scraper, however IAM spells it', () => {
    const respelled = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['STS:AssumeRole'],
          Principal: { Service: ['scraper.aps.amazonaws.com'] },
          Condition: { StringEquals: { 'AWS:SourceAccount': '111111111111' }, ArnEquals: { 'aws:SourceArn': [SCRAPER_ARN] } },
        },
      ],
    };
    expect(checkSourceTrust(pair, healthy())).toMatchObject({
      state: 'ok',
      summary: `role ${pair.sourceRoleName} trusts only scraper s-11111111-2222-3333-4444-555555555555`,
    });
    expect(checkSourceTrust(pair, healthy({ sourceRole: found(sourceRole({ trust: asIam(respelled) })) })).state).toBe('ok');
  });

  test('drifted: pinned to another scraper, the role and the pinned ARN are named', () => {
    const r = checkSourceTrust(pair, healthy({ sourceRole: found(sourceRole({ trust: asIam(sourceTrustPolicy(sourceSide(pair), OTHER_SCRAPER_ARN)) })) }));
    expect(r.state).toBe('problem');
    expect(r.summary).toContain(`role ${pair.sourceRoleName}`);
    expect(r.details[0]).toBe(`aws:SourceArn is pinned to ${OTHER_SCRAPER_ARN}; expected ${SCRAPER_ARN}`);
  });

  test('still a bootstrap trust (phase 2 never ran) is a problem that says so', () => {
    const sealed = checkSourceTrust(
      pair,
      healthy({ sourceRole: found(sourceRole({ trust: asIam(sourceTrustPolicy(sourceSide(pair), undefined, 'sealed')) })) }),
    );
    expect(sealed).toMatchObject({
      state: 'problem',
      details: expect.arrayContaining(['still the sealed bootstrap trust: phase 2 has not pinned it (run cdktf deploy)']),
    });
    const wide = checkTargetTrust(
      pair,
      healthy({ targetRole: found(targetRole({ trust: asIam(targetTrustPolicy(sourceSide(pair), pair.sourceRoleArn, undefined, 'account-wide')) })) }),
    );
    expect(wide).toMatchObject({ state: 'problem', details: expect.arrayContaining([expect.stringMatching(/^still the account-wide bootstrap trust/)]) });
  });

  test('a missing role is a problem; no single scraper leaves the trust unknown', () => {
    expect(checkSourceTrust(pair, healthy({ sourceRole: missing('NoSuchEntity') })).state).toBe('problem');
    expect(checkSourceTrust(pair, healthy({ scrapers: found([]) })).state).toBe('unknown');
  });
});

describe('target trust', () => {
  test('healthy: the Source role with sts:ExternalId = the live scraper ARN', () => {
    expect(checkTargetTrust(pair, healthy()).state).toBe('ok');
  });

  test('a Source role recreated since (IAM shows its old unique ID) is a problem naming the principal', () => {
    const doc = targetTrustPolicy(sourceSide(pair), 'AROAEXAMPLEOLDSOURCE', SCRAPER_ARN);
    const r = checkTargetTrust(pair, healthy({ targetRole: found(targetRole({ trust: asIam(doc) })) }));
    expect(r.state).toBe('problem');
    expect(r.details).toContain(`principal is AWS:AROAEXAMPLEOLDSOURCE; expected AWS:${pair.sourceRoleArn}`);
    expect(r.details).toContain('the pinned ARN is right, but other parts of the document differ from the final document');
  });
});

describe('source permissions', () => {
  test('healthy: only amp-xa-assume-target, on the Target role only, nothing attached', () => {
    expect(checkSourcePermissions(pair, healthy())).toMatchObject({
      state: 'ok',
      summary: `role ${pair.sourceRoleName} may only assume ${pair.targetRoleArn}`,
    });
  });

  test('an extra inline policy or a wider assume is a problem naming the policy', () => {
    const wide = sourceRole({
      inline: [
        { name: 'amp-xa-assume-target', document: asIam(sourcePermissionsPolicy('*')) },
        { name: 'debug', document: {} },
      ],
    });
    const r = checkSourcePermissions(pair, healthy({ sourceRole: found(wide) }));
    expect(r.state).toBe('problem');
    expect(r.details[0]).toBe('inline policies besides amp-xa-assume-target: debug');
    expect(r.details[1]).toMatch(/^amp-xa-assume-target differs from amp-xa's: .*"Resource":"\*"/);
  });
});

describe('target permissions', () => {
  test('healthy: only amp-xa-remote-write on the pair workspace, nothing attached', () => {
    expect(checkTargetPermissions(pair, healthy())).toMatchObject({
      state: 'ok',
      summary: `role ${pair.targetRoleName} may only remote-write to ${workspaceArn}`,
    });
  });

  test('an attached managed policy, a missing own policy, or another workspace is a problem', () => {
    const attached = targetRole({
      attached: [{ name: 'AmazonPrometheusRemoteWriteAccess', arn: 'arn:aws:iam::aws:policy/AmazonPrometheusRemoteWriteAccess' }],
      inline: [],
    });
    expect(checkTargetPermissions(pair, healthy({ targetRole: found(attached) })).details).toEqual([
      'managed policies attached: arn:aws:iam::aws:policy/AmazonPrometheusRemoteWriteAccess',
      'inline policy amp-xa-remote-write is missing',
    ]);
    const other = targetRole({
      inline: [{ name: 'amp-xa-remote-write', document: asIam(targetPermissionsPolicy('arn:aws:aps:eu-west-1:222222222222:workspace/ws-other')) }],
    });
    expect(checkTargetPermissions(pair, healthy({ targetRole: found(other) })).state).toBe('problem');
  });

  test('a created workspace that cannot be found is a problem', () => {
    expect(checkTargetPermissions(pair, healthy({ workspaceArn: missing('no workspace with alias central') })).state).toBe('problem');
  });
});

describe('EKS authentication mode', () => {
  test('healthy: the live mode is the configured one', () => {
    expect(checkAuthenticationMode(pair, healthy())).toMatchObject({ state: 'ok', summary: 'cluster prod-eks is in API_AND_CONFIG_MAP mode, as configured' });
  });

  test('another mode is a problem; no mode in the answer is unknown; no cluster is a problem', () => {
    expect(checkAuthenticationMode(pair, healthy({ cluster: found({ authenticationMode: 'CONFIG_MAP' }) }))).toMatchObject({
      state: 'problem',
      details: [expect.stringContaining('npm run eks-access')],
    });
    expect(checkAuthenticationMode(pair, healthy({ cluster: found({}) })).state).toBe('unknown');
    expect(checkAuthenticationMode(pair, healthy({ cluster: missing('ResourceNotFoundException') })).state).toBe('problem');
  });
});

describe('report and exit code', () => {
  test('healthy pairs exit 0; unknown alone does not degrade', () => {
    expect(statusReport([pairReport(pair, healthy()), pairReport(pair, healthy({ cluster: found({}) }))])).toMatchObject({ health: 'healthy', exitCode: 0 });
  });

  test('any problem exits 2; any unreadable read exits 1, even beside a problem', () => {
    const degraded = pairReport(pair, healthy({ scrapers: found([scraper({ statusCode: 'UPDATE_FAILED' })]) }));
    expect(statusReport([pairReport(pair, healthy()), degraded])).toMatchObject({ health: 'degraded', exitCode: 2 });
    const unreadable = pairReport(pair, healthy({ targetRole: readError('AccessDenied') }));
    expect(statusReport([degraded, unreadable])).toMatchObject({ health: 'error', exitCode: 1 });
  });

  test('the JSON document carries the version, health, exit code, scraper and every check', () => {
    const json = JSON.parse(renderJson(statusReport([pairReport(pair, healthy())])));
    expect(json).toMatchObject({
      version: 1,
      health: 'healthy',
      exitCode: 0,
      pairs: [{ pair: pair.name, health: 'healthy', scraper: { id: 's-11111111-2222-3333-4444-555555555555', status: 'ACTIVE' } }],
    });
    expect(json.pairs[0].checks.map((c: any) => [c.check, c.state])).toEqual([
      ['scraper', 'ok'],
      ['source-trust', 'ok'],
      ['target-trust', 'ok'],
      ['source-permissions', 'ok'],
      ['target-permissions', 'ok'],
      ['eks-authentication-mode', 'ok'],
      ['eks-cluster', 'ok'],
      ['network', 'ok'],
      ['workspace', 'ok'],
    ]);
  });
});

describe('an account whose credentials fail: said once, not once per read', () => {
  const signIn = 'cannot sign in to account workload (111111111111): CredentialsProviderError: Could not resolve credentials using profile: [workload]';
  const target = 'cannot sign in to account central (222222222222): CredentialsProviderError: Could not resolve credentials using profile: [central]';
  const source = {
    scrapers: readError<LiveScraper[]>(signIn, 'workload'),
    sourceRole: readError<LiveRole>(signIn, 'workload'),
    cluster: readError<never>(signIn, 'workload'),
    network: readError<never>(signIn, 'workload'),
  };
  const targetSide = {
    targetRole: readError<LiveRole>(target, 'central'),
    workspaceArn: readError<string>(target, 'central'),
    workspace: readError<never>(target, 'central'),
  };
  const count = (text: string, part: string) => text.split(part).length - 1;

  test('no account readable: each problem on one line, then one line per pair', () => {
    const text = renderTable(statusReport([pairReport(pair, healthy({ ...source, ...targetSide })), pairReport(pair, healthy({ ...source, ...targetSide }))]));
    expect(text.split('\n')).toEqual([
      signIn,
      target,
      '',
      `pair ${pair.name}: error (source 111111111111 -> target 222222222222, eu-west-1): not read: accounts workload, central (above)`,
      `pair ${pair.name}: error (source 111111111111 -> target 222222222222, eu-west-1): not read: accounts workload, central (above)`,
      '2 pairs: 0 healthy, 0 degraded, 2 unreadable -> error (exit 1)',
      '',
    ]);
  });

  test('one side unreadable: the other side checked as usual, the unread checks point at the problem above', () => {
    const text = renderTable(statusReport([pairReport(pair, healthy(targetSide))]));
    expect(count(text, target)).toBe(1);
    expect(text).toMatch(/^ {2}source-trust +ok +/m);
    expect(text).toMatch(/^ {2}target-trust +ERROR +not read: account central \(above\)$/m);
    expect(text).toMatch(/^ {2}target-permissions +ERROR +not read: account central \(above\)$/m);
  });

  test('a read that failed on its own (access denied) keeps its message in its row', () => {
    const text = renderTable(statusReport([pairReport(pair, healthy({ targetRole: readError('AccessDenied: iam:GetRole') }))]));
    expect(text).toMatch(/^ {2}target-trust +ERROR +cannot read role .*AccessDenied: iam:GetRole$/m);
    expect(text.split('\n')[0]).toBe(`pair ${pair.name}: error (source 111111111111 -> target 222222222222, eu-west-1)`);
  });

  test('the JSON keeps every check with its full message, and names the account', () => {
    const json = JSON.parse(renderJson(statusReport([pairReport(pair, healthy(targetSide))])));
    expect(json.pairs[0].checks.find((c: any) => c.check === 'target-trust')).toMatchObject({
      state: 'error',
      summary: expect.stringContaining(target),
      unreadableAccount: { name: 'central', problem: target },
    });
  });
});

describe('AWS text is untrusted', () => {
  const hostile = 'quota\u001b[31m red\u0007\r\nfake: ok\u202egnp.exe\u200b \\u{1b}';

  test('control, bidi and zero-width characters are escaped, backslashes doubled, plain text kept', () => {
    expect(untrusted(hostile)).toBe('quota\\u{1b}[31m red\\u{7}\\r\\nfake: ok\\u{202e}gnp.exe\\u{200b} \\\\u{1b}');
    expect(untrusted('subnet-0a1b (eu-west-1a): café ✓')).toBe('subnet-0a1b (eu-west-1a): café ✓');
  });

  test('length is bounded', () => {
    expect(untrusted('x'.repeat(1000), 50)).toBe(`${'x'.repeat(50)}... (950 more characters)`);
  });

  test('neither the table nor the JSON prints a raw control or invisible character', () => {
    const report = statusReport([
      pairReport(pair, healthy({ scrapers: found([scraper({ statusCode: 'CREATION_FAILED', statusReason: hostile.repeat(50), alias: hostile })]) })),
    ]);
    for (const text of [renderTable(report), renderJson(report)]) {
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u202e]/);
      for (const line of text.split('\n')) expect(line.length).toBeLessThan(600);
    }
    expect(renderTable(report)).toContain('CREATION_FAILED: quota\\u{1b}[31m red\\u{7}\\r\\nfake');
    expect(JSON.parse(renderJson(report)).pairs[0].checks[0].summary).toMatch(
      /^s-\S+ CREATION_FAILED: quota\\u\{1b\}\[31m red.*\.\.\. \(\d+ more characters\)$/,
    );
  });
});

describe('policy comparison', () => {
  test('spelling does not matter; an extra NotResource or statement does', () => {
    const doc = targetPermissionsPolicy(workspaceArn);
    expect(
      samePolicy({ ...doc, Statement: [{ ...doc.Statement[0], Sid: 'other', Action: ['APS:RemoteWrite'], Resource: [workspaceArn, workspaceArn] }] }, doc),
    ).toBe(true);
    expect(samePolicy({ ...doc, Statement: [{ ...doc.Statement[0], NotResource: 'x' }] }, doc)).toBe(false);
    expect(samePolicy({ ...doc, Statement: [...doc.Statement, { Effect: 'Allow', Action: 'aps:QueryMetrics', Resource: '*' }] }, doc)).toBe(false);
    expect(samePolicy('not json', doc)).toBe(false);
    expect(normalizePolicy(decodePolicyDocument(encodeURIComponent(JSON.stringify(doc))))).toEqual(normalizePolicy(doc));
  });
});

test('the example deployer policies allow every read the status command makes (GetCallerIdentity needs no permission)', () => {
  for (const side of ['source', 'target'] as const) {
    const policy = JSON.parse(readFileSync(path.join(__dirname, '..', 'examples', 'deployer', `${side}-account-policy.json`), 'utf8'));
    const allowed = new Set(policy.Statement.filter((st: any) => st.Effect === 'Allow').flatMap((st: any) => [st.Action].flat()));
    expect({ side, missing: READ_ACTIONS[side].filter((a) => a !== 'sts:GetCallerIdentity' && !allowed.has(a)) }).toEqual({ side, missing: [] });
  }
});

describe('the command', () => {
  const ROOT = path.join(__dirname, '..');
  const status = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'status.ts'), ...args], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        ...env,
      },
    });

  test.each([
    [['--jsn'], /^status: Unknown option '--jsn'/m],
    [['--pair'], /^status: Option '--pair <value>' argument missing/m],
    [['--pair', 'nope'], /^status: --pair "nope" is not a pair of the config; pairs: prod-to-central$/m],
    [['extra'], /^status: Unexpected argument 'extra'/m],
  ])('%p is refused with exit 1 and a message naming it', (args, message) => {
    const r = status(args);
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: '' });
    expect(r.stderr).toMatch(message);
  });

  test('a bad config exits 1 with the config error', () => {
    const r = status([], { AMP_XA_CONFIG: '/nonexistent/fleet.json' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('AMP_XA_CONFIG: cannot read /nonexistent/fleet.json');
  });

  test('no credentials at all: each account problem once, one line per pair, every line distinct', () => {
    const r = status([], { AMP_XA_CONFIG: path.join(ROOT, 'examples', 'fleet.json') });
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n').filter(Boolean);
    expect(lines.filter((l) => /cannot sign in to account/.test(l))).toHaveLength(3); // workload-a, observability, workload-b
    expect(lines.filter((l) => /^pair /.test(l))).toHaveLength(3);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines.at(-1)).toBe('3 pairs: 0 healthy, 0 degraded, 3 unreadable -> error (exit 1)');
  });

  // package.json engines: >=22. On Node 20 every AWS SDK load warns that later SDK releases require Node 22.
  (Number(process.versions.node.split('.')[0]) >= 22 ? test : test.skip)('on a supported Node, nothing on stderr (no SDK Node-version warning)', () => {
    expect(status([], { AMP_XA_CONFIG: path.join(ROOT, 'examples', 'fleet.json') }).stderr).toBe('');
  });

  test('AWS that cannot be reached exits 1 and says so in the JSON (no server listens on the endpoint)', () => {
    const r = status(['--json'], {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'AKIAUNIT',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_REGION: 'eu-west-1',
    });
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ health: 'error', exitCode: 1, pairs: [{ pair: 'prod-to-central', health: 'error' }] });
    expect(json.pairs[0].checks[0].summary).toMatch(/cannot sign in to account workload \(111111111111\): .*127\.0\.0\.1:9/);
  });
});

describe("the preflight's checks for deployed pairs: cluster, network, workspace", () => {
  test('healthy: all ok', () => {
    expect([checkCluster, checkNetwork, checkWorkspace].map((c) => c(pair, healthy()).state)).toEqual(['ok', 'ok', 'ok']);
  });

  test('cluster: missing, not ACTIVE, no private endpoint (with the fix)', () => {
    expect(checkCluster(pair, healthy({ cluster: missing('ResourceNotFoundException') })).state).toBe('problem');
    const live = { authenticationMode: 'API_AND_CONFIG_MAP', vpcId: 'vpc-1' };
    expect(checkCluster(pair, healthy({ cluster: found({ ...live, status: 'UPDATING', endpointPrivateAccess: true }) })).details).toEqual([
      'cluster prod-eks is UPDATING; AMP needs it ACTIVE',
    ]);
    expect(checkCluster(pair, healthy({ cluster: found({ ...live, status: 'ACTIVE', endpointPrivateAccess: false }) })).details).toEqual([
      expect.stringContaining('--resources-vpc-config endpointPrivateAccess=true'),
    ]);
  });

  test('network: each problem its own line', () => {
    const [a, b] = pair.cluster.subnetIds;
    const problems = (over: Partial<LiveNetwork>) => checkNetwork(pair, healthy({ network: found(network(over)) })).details;
    expect(problems({ vpc: { id: 'vpc-1', dnsSupport: true, dnsHostnames: false } })).toEqual([expect.stringContaining('DNS hostnames disabled')]);
    expect(problems({ vpc: { id: 'vpc-1', dnsSupport: false, dnsHostnames: true } })).toEqual([expect.stringContaining('DNS support disabled')]);
    expect(
      problems({
        subnets: [
          { id: a, vpcId: 'vpc-1', availabilityZone: 'eu-west-1a' },
          { id: b, vpcId: 'vpc-1', availabilityZone: 'eu-west-1a' },
        ],
      }),
    ).toEqual([expect.stringContaining('span 1 Availability Zone(s)')]);
    expect(
      problems({
        subnets: [
          { id: a, vpcId: 'vpc-1', availabilityZone: 'eu-west-1a' },
          { id: b, vpcId: 'vpc-2', availabilityZone: 'eu-west-1b' },
        ],
      }),
    ).toEqual([`subnets ${b} (in vpc-2) are not in the cluster VPC vpc-1`]);
    expect(problems({ subnets: [{ id: a, vpcId: 'vpc-1', availabilityZone: 'eu-west-1a' }] })).toEqual([
      `subnets ${b} of clusters.prod-eks.subnetIds do not exist`,
      expect.stringContaining('span 1 Availability Zone(s)'),
    ]);
    expect(problems({ securityGroups: [] })).toEqual([expect.stringMatching(/^security groups sg-\w+ of clusters\.prod-eks\.securityGroupIds do not exist$/)]);
    expect(problems({ securityGroups: [{ id: pair.cluster.securityGroupIds![0], vpcId: 'vpc-9' }] })).toEqual([
      expect.stringContaining('(in vpc-9) are not in the cluster VPC vpc-1'),
    ]);
  });

  test('workspace: missing, not ACTIVE, another region', () => {
    expect(checkWorkspace(pair, healthy({ workspace: missing('ResourceNotFoundException') })).state).toBe('problem');
    expect(checkWorkspace(pair, healthy({ workspace: found({ arn: workspaceArn, status: 'DELETING' }) })).summary).toContain('is DELETING');
    expect(checkWorkspace(pair, healthy({ workspace: found({ arn: workspaceArn.replace('eu-west-1', 'us-east-1'), status: 'ACTIVE' }) })).summary).toContain(
      'is in us-east-1, the cluster in eu-west-1',
    );
  });

  test('authentication mode left out of the config: API passes, CONFIG_MAP does not; an allowed mismatch is ok', () => {
    const undeclared = { ...pair, cluster: { ...pair.cluster, authenticationModeDeclared: false } };
    const mode = (p: PairPlan, m: string) => checkAuthenticationMode(p, healthy({ cluster: found({ authenticationMode: m }) })).state;
    expect([mode(undeclared, 'API'), mode(undeclared, 'API_AND_CONFIG_MAP'), mode(undeclared, 'CONFIG_MAP')]).toEqual(['ok', 'ok', 'problem']);
    expect(mode(pair, 'API')).toBe('problem');
    expect(mode({ ...pair, cluster: { ...pair.cluster, allowAuthenticationModeMismatch: true } }, 'API')).toBe('ok');
  });
});
