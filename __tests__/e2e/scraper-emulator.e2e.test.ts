/**
 * The scraper emulator, driven by the AWS CLI against a real moto_server: botocore parses every answer with
 * AMP's real API model, so shapes that drift from the service fail here. Accounts are moto assume-role
 * sessions; the destination workspace is created in moto in its own account. Transitions never happen by
 * time here (transitionMs is an hour): tests complete them with completeTransitions().
 * The CLI's client-side parameter validation is off, so the emulator itself must refuse what AWS refuses.
 */
import { execFile, spawn, type ChildProcess } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { ScraperEmulator } from '../../lib/sandbox/scraper/emulator';
import { freePort, waitFor } from './harness';

const run = promisify(execFile);
const REGION = 'eu-west-1';
const SOURCE = '111111111111';
const TARGET = '222222222222';
const OTHER = '333333333333';
const QUOTA_ACCOUNT = '444444444444';
const YAML = 'scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ["x:1"]}]\n';

const dir = mkdtempSync(path.join(tmpdir(), 'scraper-emulator-'));
const cliConfig = path.join(dir, 'aws-config');
let moto: ChildProcess;
let emulator: ScraperEmulator;
let workspace = '';
const creds = new Map<string, Record<string, string>>();

function cliEnv(account: string, region = REGION): NodeJS.ProcessEnv {
  const identity = creds.get(account) ?? { AWS_ACCESS_KEY_ID: 'AKIAEMULATORTEST000', AWS_SECRET_ACCESS_KEY: 'x' };
  return {
    PATH: process.env.PATH,
    ...identity,
    AWS_DEFAULT_REGION: region,
    AWS_ENDPOINT_URL: emulator.url,
    AWS_MAX_ATTEMPTS: '1',
    AWS_CONFIG_FILE: cliConfig,
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}

/** The AWS CLI as `account` (an assume-role session in moto). */
async function aws(account: string, ...args: string[]): Promise<any> {
  const { stdout } = await run('aws', [...args, '--output', 'json'], { env: cliEnv(account) });
  return stdout.trim() ? JSON.parse(stdout) : {};
}

async function awsIn(region: string, account: string, ...args: string[]): Promise<any> {
  const { stdout } = await run('aws', [...args, '--output', 'json'], { env: cliEnv(account, region) });
  return stdout.trim() ? JSON.parse(stdout) : {};
}

async function awsError(account: string, ...args: string[]): Promise<string> {
  try {
    await aws(account, ...args);
  } catch (e) {
    return String((e as { stderr: string }).stderr);
  }
  throw new Error('the call succeeded');
}

/** A valid CreateScraper input for `account` (the CLI base64-encodes the blob member itself). */
function input(account = SOURCE, alias = 'prod'): Record<string, any> {
  return {
    alias,
    source: {
      eksConfiguration: {
        clusterArn: `arn:aws:eks:${REGION}:${account}:cluster/prod`,
        subnetIds: ['subnet-0123abcd', 'subnet-4567ef01'],
        securityGroupIds: ['sg-0123abcd'],
      },
    },
    destination: { ampConfiguration: { workspaceArn: workspace } },
    roleConfiguration: { sourceRoleArn: `arn:aws:iam::${account}:role/src`, targetRoleArn: `arn:aws:iam::${TARGET}:role/tgt` },
    scrapeConfiguration: { configurationBlob: YAML },
    tags: { team: 'obs' },
  };
}

const create = (account = SOURCE, body = input(account)) => aws(account, 'amp', 'create-scraper', '--cli-input-json', JSON.stringify(body));
const createError = (account: string, body: Record<string, any>) => awsError(account, 'amp', 'create-scraper', '--cli-input-json', JSON.stringify(body));
const describeScraper = async (id: string, account = SOURCE) => (await aws(account, 'amp', 'describe-scraper', '--scraper-id', id)).scraper;

/** The same request over plain HTTP (blob base64-encoded, as on the wire), to read the error body botocore hides. */
async function raw(account: string, method: string, urlPath: string, body?: string): Promise<{ status: number; errorType: string | null; body: any }> {
  const key = creds.get(account)!.AWS_ACCESS_KEY_ID;
  const response = await fetch(`${emulator.url}${urlPath}`, {
    method,
    headers: { authorization: `AWS4-HMAC-SHA256 Credential=${key}/20250101/${REGION}/aps/aws4_request`, 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), body: await response.json() };
}

function onTheWire(body: Record<string, any>): string {
  const blob = body.scrapeConfiguration?.configurationBlob;
  const scrapeConfiguration = typeof blob === 'string' ? { configurationBlob: Buffer.from(blob).toString('base64') } : body.scrapeConfiguration;
  return JSON.stringify({ ...body, scrapeConfiguration });
}

async function assumeAccount(account: string): Promise<void> {
  const { Credentials: c } = await aws(
    'base',
    'sts',
    'assume-role',
    '--role-arn',
    `arn:aws:iam::${account}:role/emulator-test`,
    '--role-session-name',
    'emulator-test',
  );
  creds.set(account, { AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken });
}

beforeAll(async () => {
  writeFileSync(cliConfig, '[default]\nparameter_validation = false\n');
  const port = await freePort();
  moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const motoUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${motoUrl}/moto-api/`)).ok, 'moto_server to answer');
  emulator = new ScraperEmulator({ motoUrl, transitionMs: 3_600_000 });
  await emulator.start();
  for (const account of [SOURCE, TARGET, OTHER, QUOTA_ACCOUNT]) await assumeAccount(account);
  workspace = (await aws(TARGET, 'amp', 'create-workspace', '--alias', 'central')).arn;
});

afterAll(async () => {
  try {
    await emulator?.stop();
    if (moto?.exitCode === null) await new Promise((resolve) => moto.once('exit', resolve).kill('SIGTERM'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('listens on 127.0.0.1 only: the socket is bound to the loopback address', () => {
  expect(emulator.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
  expect(emulator.url).toBe(`http://127.0.0.1:${emulator.address().port}`);
});

test('create -> CREATING, then ACTIVE; describe returns the full scraper in the caller account', async () => {
  const created = await create();
  expect(created).toMatchObject({ scraperId: expect.stringMatching(/^s-/), status: { statusCode: 'CREATING' }, tags: { team: 'obs' } });
  expect(created.arn).toBe(`arn:aws:aps:${REGION}:${SOURCE}:scraper/${created.scraperId}`);
  expect((await describeScraper(created.scraperId)).status).toEqual({ statusCode: 'CREATING' });
  emulator.completeTransitions();
  const scraper = await describeScraper(created.scraperId);
  expect(scraper).toMatchObject({
    alias: 'prod',
    arn: created.arn,
    status: { statusCode: 'ACTIVE' },
    source: { eksConfiguration: { clusterArn: `arn:aws:eks:${REGION}:${SOURCE}:cluster/prod`, subnetIds: ['subnet-0123abcd', 'subnet-4567ef01'] } },
    destination: { ampConfiguration: { workspaceArn: workspace } },
    roleConfiguration: { sourceRoleArn: `arn:aws:iam::${SOURCE}:role/src`, targetRoleArn: `arn:aws:iam::${TARGET}:role/tgt` },
    tags: { team: 'obs' },
  });
  expect(scraper.statusReason).toBeUndefined();
  expect(scraper.roleArn).toBe(
    `arn:aws:iam::${SOURCE}:role/aws-service-role/scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraper_${created.scraperId.slice(2, 17)}`,
  );
  // Epoch seconds, as AMP sends them (the CLI prints timestamps as received).
  expect(scraper.createdAt).toBeGreaterThan(Date.now() / 1000 - 600);
  expect(scraper.createdAt).toBeLessThanOrEqual(Date.now() / 1000);
});

test('another account cannot see or touch the scraper', async () => {
  const [mine] = emulator.list(SOURCE);
  expect(await awsError(OTHER, 'amp', 'describe-scraper', '--scraper-id', mine.scraperId)).toMatch(/ResourceNotFoundException/);
  expect((await aws(OTHER, 'amp', 'list-scrapers')).scrapers).toEqual([]);
});

test('update -> UPDATING -> ACTIVE; an update while not ACTIVE is a ConflictException', async () => {
  const [mine] = emulator.list(SOURCE);
  const updated = await aws(SOURCE, 'amp', 'update-scraper', '--scraper-id', mine.scraperId, '--alias', 'renamed');
  expect(updated.status).toEqual({ statusCode: 'UPDATING' });
  expect(await awsError(SOURCE, 'amp', 'update-scraper', '--scraper-id', mine.scraperId, '--alias', 'again')).toMatch(/ConflictException/);
  emulator.completeTransitions();
  expect(await describeScraper(mine.scraperId)).toMatchObject({ alias: 'renamed', status: { statusCode: 'ACTIVE' } });
});

test('list filters by alias and status, and pages', async () => {
  await create(SOURCE, input(SOURCE, 'second'));
  const byAlias = await aws(SOURCE, 'amp', 'list-scrapers', '--filters', 'alias=second');
  expect(byAlias.scrapers.map((s: any) => s.alias)).toEqual(['second']);
  expect(byAlias.scrapers[0].scrapeConfiguration).toBeUndefined();
  const creating = await aws(SOURCE, 'amp', 'list-scrapers', '--filters', 'status=CREATING');
  expect(creating.scrapers.map((s: any) => s.alias)).toEqual(['second']);
  const page = await aws(SOURCE, 'amp', 'list-scrapers', '--max-results', '1', '--no-paginate');
  expect(page.scrapers).toHaveLength(1);
  expect(page.nextToken).toBeDefined();
  emulator.completeTransitions();
});

test('tags on a scraper ARN are served; other requests (AMP workspaces) go to moto', async () => {
  const [mine] = emulator.list(SOURCE);
  await aws(SOURCE, 'amp', 'tag-resource', '--resource-arn', mine.arn, '--tags', 'env=prod');
  expect((await aws(SOURCE, 'amp', 'list-tags-for-resource', '--resource-arn', mine.arn)).tags).toEqual({ team: 'obs', env: 'prod' });
  await aws(SOURCE, 'amp', 'untag-resource', '--resource-arn', mine.arn, '--tag-keys', 'team');
  expect((await aws(SOURCE, 'amp', 'list-tags-for-resource', '--resource-arn', mine.arn)).tags).toEqual({ env: 'prod' });
  // Only moto knows this workspace, in the target account only.
  expect((await aws(TARGET, 'amp', 'list-workspaces')).workspaces.map((w: any) => w.arn)).toEqual([workspace]);
  expect((await aws(OTHER, 'amp', 'list-workspaces')).workspaces).toEqual([]);
});

const eks = (b: any) => b.source.eksConfiguration;
const roles = (b: any) => b.roleConfiguration;
const blob = (text: string) => (b: any) => (b.scrapeConfiguration = { configurationBlob: text });
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-0000000${i}`);

// Each case makes a valid request invalid in exactly one field: the answer must name that field only.
const createCases: Array<[string, (b: any) => void, string]> = [
  ['an alias not matching the pattern', (b) => (b.alias = '-prod'), 'alias'],
  ['an alias over 100 characters', (b) => (b.alias = 'a'.repeat(101)), 'alias'],
  ['a client token over 64 characters', (b) => (b.clientToken = 't'.repeat(65)), 'clientToken'],
  ['a malformed cluster ARN', (b) => (eks(b).clusterArn = `arn:aws:eks:${REGION}:${SOURCE}:prod`), 'source.eksConfiguration.clusterArn'],
  ['a cluster in another region', (b) => (eks(b).clusterArn = `arn:aws:eks:us-east-1:${SOURCE}:cluster/prod`), 'source.eksConfiguration.clusterArn'],
  ['a cluster in another account', (b) => (eks(b).clusterArn = `arn:aws:eks:${REGION}:${OTHER}:cluster/prod`), 'source.eksConfiguration.clusterArn'],
  ['a cluster in another partition', (b) => (eks(b).clusterArn = `arn:aws-cn:eks:${REGION}:${SOURCE}:cluster/prod`), 'source.eksConfiguration.clusterArn'],
  ['no subnets', (b) => (eks(b).subnetIds = []), 'source.eksConfiguration.subnetIds'],
  ['six subnets', (b) => (eks(b).subnetIds = ids('subnet', 6)), 'source.eksConfiguration.subnetIds'],
  ['a malformed subnet', (b) => (eks(b).subnetIds = ['subnet-0123abcd', 'net-1']), 'source.eksConfiguration.subnetIds'],
  ['an empty security group list', (b) => (eks(b).securityGroupIds = []), 'source.eksConfiguration.securityGroupIds'],
  ['six security groups', (b) => (eks(b).securityGroupIds = ids('sg', 6)), 'source.eksConfiguration.securityGroupIds'],
  ['a malformed security group', (b) => (eks(b).securityGroupIds = ['group-1']), 'source.eksConfiguration.securityGroupIds'],
  ['a malformed workspace ARN', (b) => (b.destination.ampConfiguration.workspaceArn = 'ws-1'), 'destination.ampConfiguration.workspaceArn'],
  [
    'a workspace in another region',
    (b) => (b.destination.ampConfiguration.workspaceArn = workspace.replace(REGION, 'us-east-1')),
    'destination.ampConfiguration.workspaceArn',
  ],
  [
    'a workspace in another partition',
    (b) => (b.destination.ampConfiguration.workspaceArn = workspace.replace('arn:aws:', 'arn:aws-cn:')),
    'destination.ampConfiguration.workspaceArn',
  ],
  ['a scrape configuration that is not YAML', blob('scrape_configs: [unclosed'), 'scrapeConfiguration.configurationBlob'],
  ['a scrape configuration that is not a YAML mapping', blob('just a sentence'), 'scrapeConfiguration.configurationBlob'],
  ['a scrape configuration without scrape_configs', blob('global: {scrape_interval: 30s}'), 'scrapeConfiguration.configurationBlob'],
  ['no scrape configuration', (b) => delete b.scrapeConfiguration, 'scrapeConfiguration'],
  ['a malformed source role ARN', (b) => (roles(b).sourceRoleArn = 'src'), 'roleConfiguration.sourceRoleArn'],
  ['a malformed target role ARN', (b) => (roles(b).targetRoleArn = `arn:aws:iam::2222:role/tgt`), 'roleConfiguration.targetRoleArn'],
  ['a source role ARN of another partition', (b) => (roles(b).sourceRoleArn = `arn:aws-cn:iam::${SOURCE}:role/src`), 'roleConfiguration.sourceRoleArn'],
  ['a target role ARN of another partition', (b) => (roles(b).targetRoleArn = `arn:aws-us-gov:iam::${TARGET}:role/tgt`), 'roleConfiguration.targetRoleArn'],
  ['a source role in another account than the caller', (b) => (roles(b).sourceRoleArn = `arn:aws:iam::${OTHER}:role/src`), 'roleConfiguration.sourceRoleArn'],
  ['only one role ARN', (b) => delete roles(b).targetRoleArn, 'roleConfiguration'],
  ['a tag key starting with aws:', (b) => (b.tags = { 'aws:team': 'obs' }), 'tags'],
];

test.each(createCases)('CreateScraper refuses %s with a ValidationException naming that field', async (_name, mutate, field) => {
  const body = input();
  mutate(body);
  const before = emulator.list().length;
  const message = await createError(SOURCE, body);
  expect(message).toMatch(/\(ValidationException\) when calling the CreateScraper operation: 1 validation error detected: /);
  expect(message).toContain(field);
  const answer = await raw(SOURCE, 'POST', '/scrapers', onTheWire(body));
  expect(answer).toMatchObject({ status: 400, errorType: 'ValidationException', body: { reason: 'FIELD_VALIDATION_FAILED' } });
  expect(answer.body.fieldList.map((f: { name: string }) => f.name)).toEqual([field]);
  expect(emulator.list().length).toBe(before);
});

const updateCases: Array<[string, (b: any) => void, string]> = [
  ['an alias not matching the pattern', (b) => (b.alias = 'renamed!'), 'alias'],
  [
    'a malformed workspace ARN',
    (b) => (b.destination.ampConfiguration.workspaceArn = `arn:aws:aps:${REGION}:${TARGET}:ws-1`),
    'destination.ampConfiguration.workspaceArn',
  ],
  [
    'a workspace in another region',
    (b) => (b.destination.ampConfiguration.workspaceArn = workspace.replace(REGION, 'eu-central-1')),
    'destination.ampConfiguration.workspaceArn',
  ],
  ['a scrape configuration that is not YAML', blob('{{{'), 'scrapeConfiguration.configurationBlob'],
  ['a source role in another account than the caller', (b) => (roles(b).sourceRoleArn = `arn:aws:iam::${TARGET}:role/src`), 'roleConfiguration.sourceRoleArn'],
  ['a target role ARN of another partition', (b) => (roles(b).targetRoleArn = `arn:aws-cn:iam::${TARGET}:role/tgt`), 'roleConfiguration.targetRoleArn'],
  ['only one role ARN', (b) => delete roles(b).sourceRoleArn, 'roleConfiguration'],
];

test.each(updateCases)('UpdateScraper refuses %s with a ValidationException naming that field', async (_name, mutate, field) => {
  const [mine] = emulator.list(SOURCE);
  const { alias, destination, roleConfiguration, scrapeConfiguration } = input(SOURCE, 'updated');
  const body: Record<string, any> = { alias, destination, roleConfiguration, scrapeConfiguration };
  mutate(body);
  const message = await awsError(SOURCE, 'amp', 'update-scraper', '--scraper-id', mine.scraperId, '--cli-input-json', JSON.stringify(body));
  expect(message).toMatch(/\(ValidationException\) when calling the UpdateScraper operation: 1 validation error detected: /);
  expect(message).toContain(field);
  const answer = await raw(SOURCE, 'PUT', `/scrapers/${mine.scraperId}`, onTheWire(body));
  expect(answer).toMatchObject({ status: 400, errorType: 'ValidationException', body: { reason: 'FIELD_VALIDATION_FAILED' } });
  expect(answer.body.fieldList.map((f: { name: string }) => f.name)).toEqual([field]);
  expect(await describeScraper(mine.scraperId)).toMatchObject({ alias: 'renamed', status: { statusCode: 'ACTIVE' } });
});

test("a destination workspace moto does not hold, in the workspace's own account, is a ResourceNotFoundException", async () => {
  const before = emulator.list().length;
  const missing = workspace.replace(/ws-.*$/, 'ws-00000000-0000-0000-0000-000000000000');
  const elsewhere = workspace.replace(TARGET, OTHER); // the real workspace's ID, in an account that does not hold it
  for (const workspaceArn of [missing, elsewhere]) {
    const body = { ...input(), destination: { ampConfiguration: { workspaceArn } } };
    expect(await createError(SOURCE, body)).toMatch(/\(ResourceNotFoundException\) when calling the CreateScraper operation: Workspace .* not found/);
    const answer = await raw(SOURCE, 'POST', '/scrapers', onTheWire(body));
    expect(answer).toMatchObject({
      status: 404,
      errorType: 'ResourceNotFoundException',
      body: { resourceType: 'workspace', resourceId: workspaceArn.split('/')[1] },
    });
  }
  const [mine] = emulator.list(SOURCE);
  expect(
    await awsError(SOURCE, 'amp', 'update-scraper', '--scraper-id', mine.scraperId, '--destination', `ampConfiguration={workspaceArn=${missing}}`),
  ).toMatch(/\(ResourceNotFoundException\) when calling the UpdateScraper operation/);
  expect(emulator.list().length).toBe(before);
  expect((await describeScraper(mine.scraperId)).destination.ampConfiguration.workspaceArn).toBe(workspace);
});

test('registerWorkspace makes a workspace ARN that moto does not hold acceptable', async () => {
  const fixed = `arn:aws:aps:${REGION}:${TARGET}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef`;
  const body = { ...input(SOURCE, 'registered'), destination: { ampConfiguration: { workspaceArn: fixed } } };
  expect(await createError(SOURCE, body)).toMatch(/ResourceNotFoundException/);
  emulator.registerWorkspace(fixed);
  const created = await create(SOURCE, body);
  expect((await describeScraper(created.scraperId)).destination.ampConfiguration.workspaceArn).toBe(fixed);
  await aws(SOURCE, 'amp', 'delete-scraper', '--scraper-id', created.scraperId);
  emulator.completeTransitions();
});

test('the 11th scraper of an account and region is a ServiceQuotaExceededException (402); another region has room', async () => {
  for (let i = 0; i < 10; i++) await create(QUOTA_ACCOUNT, input(QUOTA_ACCOUNT, `q${i}`));
  expect(await createError(QUOTA_ACCOUNT, input(QUOTA_ACCOUNT, 'q10'))).toMatch(/\(ServiceQuotaExceededException\) when calling the CreateScraper operation/);
  const answer = await raw(QUOTA_ACCOUNT, 'POST', '/scrapers', onTheWire(input(QUOTA_ACCOUNT, 'q10')));
  expect(answer).toMatchObject({ status: 402, errorType: 'ServiceQuotaExceededException', body: { resourceType: 'scraper', serviceCode: 'aps' } });
  expect(emulator.list(QUOTA_ACCOUNT)).toHaveLength(10);

  const east = `arn:aws:aps:us-east-1:${TARGET}:workspace/ws-east`;
  emulator.registerWorkspace(east);
  const body: Record<string, any> = { ...input(QUOTA_ACCOUNT, 'east'), destination: { ampConfiguration: { workspaceArn: east } } };
  body.source.eksConfiguration.clusterArn = `arn:aws:eks:us-east-1:${QUOTA_ACCOUNT}:cluster/prod`;
  expect((await awsIn('us-east-1', QUOTA_ACCOUNT, 'amp', 'create-scraper', '--cli-input-json', JSON.stringify(body))).status).toEqual({
    statusCode: 'CREATING',
  });
});

test('a body that is not a JSON object is a 400 ValidationException (CANNOT_PARSE), and the emulator keeps serving', async () => {
  const [mine] = emulator.list(SOURCE);
  for (const [method, urlPath, body] of [
    ['POST', '/scrapers', '{"alias": '],
    ['PUT', `/scrapers/${mine.scraperId}`, 'alias=x'],
    ['POST', '/scrapers', '[1]'],
  ]) {
    const answer = await raw(SOURCE, method, urlPath, body);
    expect({ request: body, ...answer }).toMatchObject({ request: body, status: 400, errorType: 'ValidationException' });
    expect(answer.body).toMatchObject({ reason: 'CANNOT_PARSE', message: expect.stringMatching(/^Could not parse request body/) });
  }
  expect((await describeScraper(mine.scraperId)).status).toEqual({ statusCode: 'ACTIVE' });
});

test('in a China region, the scraper and its service-linked role have aws-cn ARNs; aws-partition roles are refused there', async () => {
  const region = 'cn-north-1';
  const cnWorkspace = `arn:aws-cn:aps:${region}:${TARGET}:workspace/ws-cn`;
  emulator.registerWorkspace(cnWorkspace);
  const body = input();
  body.source.eksConfiguration.clusterArn = `arn:aws-cn:eks:${region}:${SOURCE}:cluster/prod`;
  body.destination.ampConfiguration.workspaceArn = cnWorkspace;
  body.roleConfiguration = { sourceRoleArn: `arn:aws-cn:iam::${SOURCE}:role/src`, targetRoleArn: `arn:aws-cn:iam::${TARGET}:role/tgt` };
  const created = await awsIn(region, SOURCE, 'amp', 'create-scraper', '--cli-input-json', JSON.stringify(body));
  expect(created.arn).toBe(`arn:aws-cn:aps:${region}:${SOURCE}:scraper/${created.scraperId}`);
  const { scraper } = await awsIn(region, SOURCE, 'amp', 'describe-scraper', '--scraper-id', created.scraperId);
  expect(scraper.roleArn).toBe(
    `arn:aws-cn:iam::${SOURCE}:role/aws-service-role/scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraper_${created.scraperId.slice(2, 17)}`,
  );

  const wrong = { ...body, roleConfiguration: input().roleConfiguration };
  const refused = await awsIn(region, SOURCE, 'amp', 'create-scraper', '--cli-input-json', JSON.stringify(wrong)).then(
    () => 'the call succeeded',
    (e) => String(e.stderr),
  );
  expect(refused).toMatch(
    /\(ValidationException\) when calling the CreateScraper operation: 2 validation errors detected: .*roleConfiguration\.sourceRoleArn: partition aws .*roleConfiguration\.targetRoleArn: partition aws /,
  );
});

test('failNext create: the matching create goes CREATING -> CREATION_FAILED with the reason; others and later ones do not', async () => {
  emulator.failNext({ operation: 'create', statusReason: 'The subnets must be in at least two Availability Zones', match: { alias: 'doomed' } });
  const fine = await create(SOURCE, input(SOURCE, 'fine'));
  const doomed = await create(SOURCE, input(SOURCE, 'doomed'));
  expect(doomed.status).toEqual({ statusCode: 'CREATING' });
  emulator.completeTransitions();
  const fineNow = await describeScraper(fine.scraperId);
  expect(fineNow.status).toEqual({ statusCode: 'ACTIVE' });
  expect(fineNow.statusReason).toBeUndefined();
  expect(await describeScraper(doomed.scraperId)).toMatchObject({
    status: { statusCode: 'CREATION_FAILED' },
    statusReason: 'The subnets must be in at least two Availability Zones',
  });
  expect((await aws(SOURCE, 'amp', 'list-scrapers', '--filters', 'status=CREATION_FAILED')).scrapers.map((s: any) => s.scraperId)).toEqual([doomed.scraperId]);

  const retry = await create(SOURCE, input(SOURCE, 'doomed'));
  emulator.completeTransitions();
  expect((await describeScraper(retry.scraperId)).status).toEqual({ statusCode: 'ACTIVE' });
  // A failed scraper can be deleted.
  for (const s of [fine, doomed, retry]) await aws(SOURCE, 'amp', 'delete-scraper', '--scraper-id', s.scraperId);
  emulator.completeTransitions();
  expect(await awsError(SOURCE, 'amp', 'describe-scraper', '--scraper-id', doomed.scraperId)).toMatch(/ResourceNotFoundException/);
});

test('failNext update: UPDATING -> UPDATE_FAILED with the reason and the change undone; the next update succeeds', async () => {
  const created = await create(SOURCE, input(SOURCE, 'before'));
  emulator.completeTransitions();
  emulator.failNext({ operation: 'update', statusReason: 'The target role cannot be assumed' });
  const updating = await aws(SOURCE, 'amp', 'update-scraper', '--scraper-id', created.scraperId, '--alias', 'after');
  expect(updating.status).toEqual({ statusCode: 'UPDATING' });
  emulator.completeTransitions();
  expect(await describeScraper(created.scraperId)).toMatchObject({
    alias: 'before',
    status: { statusCode: 'UPDATE_FAILED' },
    statusReason: 'The target role cannot be assumed',
  });

  await aws(SOURCE, 'amp', 'update-scraper', '--scraper-id', created.scraperId, '--alias', 'after');
  emulator.completeTransitions();
  const after = await describeScraper(created.scraperId);
  expect(after).toMatchObject({ alias: 'after', status: { statusCode: 'ACTIVE' } });
  expect(after.statusReason).toBeUndefined();
  await aws(SOURCE, 'amp', 'delete-scraper', '--scraper-id', created.scraperId);
  emulator.completeTransitions();
});

test('setStatus sets a scraper status and reason as DescribeScraper and ListScrapers report them', async () => {
  const [mine] = emulator.list(SOURCE);
  emulator.setStatus(mine.scraperId, 'DELETION_FAILED', 'Network interfaces still in use');
  expect(await describeScraper(mine.scraperId)).toMatchObject({ status: { statusCode: 'DELETION_FAILED' }, statusReason: 'Network interfaces still in use' });
  const listed = await aws(SOURCE, 'amp', 'list-scrapers', '--filters', 'status=DELETION_FAILED');
  expect(listed.scrapers).toEqual([expect.objectContaining({ scraperId: mine.scraperId, statusReason: 'Network interfaces still in use' })]);
  emulator.setStatus(mine.scraperId, 'ACTIVE');
  const active = await describeScraper(mine.scraperId);
  expect(active.status).toEqual({ statusCode: 'ACTIVE' });
  expect(active.statusReason).toBeUndefined();
});

test('without securityGroupIds the scraper reports one, stable per cluster (hashicorp/aws reads the member as computed)', async () => {
  const body = input(SOURCE, 'no-sg');
  delete body.source.eksConfiguration.securityGroupIds;
  const created = await create(SOURCE, body);
  const groups = (await describeScraper(created.scraperId)).source.eksConfiguration.securityGroupIds;
  expect(groups).toEqual([expect.stringMatching(/^sg-[0-9a-f]{17}$/)]);
  emulator.completeTransitions();
  await aws(SOURCE, 'amp', 'update-scraper', '--scraper-id', created.scraperId, '--alias', 'no-sg-renamed');
  emulator.completeTransitions();
  expect((await describeScraper(created.scraperId)).source.eksConfiguration.securityGroupIds).toEqual(groups);
  await aws(SOURCE, 'amp', 'delete-scraper', '--scraper-id', created.scraperId);
  emulator.completeTransitions();
});

test('delete -> DELETING, then gone; describe of a deleted scraper is ResourceNotFoundException', async () => {
  const [mine] = emulator.list(SOURCE);
  const deleted = await aws(SOURCE, 'amp', 'delete-scraper', '--scraper-id', mine.scraperId);
  expect(deleted).toEqual({ scraperId: mine.scraperId, status: { statusCode: 'DELETING' } });
  expect(await awsError(SOURCE, 'amp', 'delete-scraper', '--scraper-id', mine.scraperId)).toMatch(/ConflictException/);
  emulator.completeTransitions();
  expect(await awsError(SOURCE, 'amp', 'describe-scraper', '--scraper-id', mine.scraperId)).toMatch(/ResourceNotFoundException/);
});

test('the default scraper configuration is base64 YAML', async () => {
  const { configuration } = await aws(SOURCE, 'amp', 'get-default-scraper-configuration');
  expect(Buffer.from(configuration, 'base64').toString('utf8')).toMatch(/^global:\n/);
});

test('injected faults answer with the given status until used up', async () => {
  emulator.inject({ match: ['GET /scrapers'], status: 500, remaining: 1 });
  const first = await raw(SOURCE, 'GET', '/scrapers');
  const second = await raw(SOURCE, 'GET', '/scrapers');
  expect([first.status, second.status]).toEqual([500, 200]);
  expect(first.errorType).toBe('InternalFailure');
});

describe('EKS as the preflight reads it (moto completed: vpcId, endpoint defaults, accessConfig)', () => {
  let subnets: string[] = [];
  let vpcId = '';
  beforeAll(async () => {
    vpcId = (await aws(SOURCE, 'ec2', 'create-vpc', '--cidr-block', '10.1.0.0/16')).Vpc.VpcId;
    subnets = [];
    for (const [cidr, zone] of [
      ['10.1.1.0/24', 'a'],
      ['10.1.2.0/24', 'b'],
    ])
      subnets.push(
        (await aws(SOURCE, 'ec2', 'create-subnet', '--vpc-id', vpcId, '--cidr-block', cidr, '--availability-zone', `${REGION}${zone}`)).Subnet.SubnetId,
      );
  });
  const createCluster = (name: string, ...extra: string[]) =>
    aws(
      SOURCE,
      'eks',
      'create-cluster',
      '--name',
      name,
      '--role-arn',
      `arn:aws:iam::${SOURCE}:role/eks`,
      '--resources-vpc-config',
      `subnetIds=${subnets.join(',')}`,
      ...extra,
    );
  const describeCluster = async (name: string) => (await aws(SOURCE, 'eks', 'describe-cluster', '--name', name)).cluster;

  test("CreateCluster's accessConfig is kept; DescribeCluster reports it with the VPC of the subnets", async () => {
    const created = await createCluster('api-eks', '--access-config', 'authenticationMode=API');
    expect(created.cluster.accessConfig).toEqual({ authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true });
    const described = await describeCluster('api-eks');
    expect(described.accessConfig).toEqual({ authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true });
    expect(described.resourcesVpcConfig).toMatchObject({ vpcId, subnetIds: subnets, endpointPublicAccess: true, endpointPrivateAccess: false });
  });

  test("without accessConfig: EKS's API default, CONFIG_MAP; another account does not see the cluster", async () => {
    await createCluster('legacy-eks');
    expect((await describeCluster('legacy-eks')).accessConfig).toEqual({ authenticationMode: 'CONFIG_MAP', bootstrapClusterCreatorAdminPermissions: true });
    expect(await awsError(OTHER, 'eks', 'describe-cluster', '--name', 'legacy-eks')).toMatch(/ResourceNotFoundException/);
  });

  test('UpdateClusterConfig moves the mode forward only, and sets endpoint access', async () => {
    await aws(SOURCE, 'eks', 'update-cluster-config', '--name', 'legacy-eks', '--access-config', 'authenticationMode=API_AND_CONFIG_MAP');
    expect((await describeCluster('legacy-eks')).accessConfig.authenticationMode).toBe('API_AND_CONFIG_MAP');
    expect(await awsError(SOURCE, 'eks', 'update-cluster-config', '--name', 'legacy-eks', '--access-config', 'authenticationMode=CONFIG_MAP')).toMatch(
      /InvalidParameterException.*from API_AND_CONFIG_MAP to CONFIG_MAP/,
    );
    await aws(SOURCE, 'eks', 'update-cluster-config', '--name', 'legacy-eks', '--resources-vpc-config', 'endpointPrivateAccess=true');
    expect((await describeCluster('legacy-eks')).resourcesVpcConfig.endpointPrivateAccess).toBe(true);
    expect(await awsError(SOURCE, 'eks', 'update-cluster-config', '--name', 'nope', '--resources-vpc-config', 'endpointPrivateAccess=true')).toMatch(
      /ResourceNotFoundException/,
    );
  });
});
