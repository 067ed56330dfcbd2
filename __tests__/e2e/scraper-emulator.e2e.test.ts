/**
 * The scraper emulator, driven by the AWS CLI: botocore parses every answer with AMP's real API model,
 * so shapes that drift from the service fail here. A tiny stand-in for moto answers GetCallerIdentity
 * (access key -> account) and records what the emulator proxies.
 */
import { execFile } from 'child_process';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { promisify } from 'util';
import { ScraperEmulator } from '../support/scraper-emulator';

const run = promisify(execFile);
// Several times one CLI call (~0.5 s, more on a busy runner), so a state is still there when the next call looks.
const TRANSITION_MS = 3000;
const afterTransition = () => new Promise((r) => setTimeout(r, TRANSITION_MS + 100));
const ACCOUNTS: Record<string, string> = { AKIASOURCE0000000000: '111111111111', AKIAOTHER00000000000: '333333333333' };
const proxied: string[] = [];
let moto: http.Server;
let emulator: ScraperEmulator;

const CLUSTER = 'arn:aws:eks:eu-west-1:111111111111:cluster/prod';
const WORKSPACE = 'arn:aws:aps:eu-west-1:222222222222:workspace/ws-abc';
const ROLES = 'sourceRoleArn=arn:aws:iam::111111111111:role/src,targetRoleArn=arn:aws:iam::222222222222:role/tgt';
const YAML = 'scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ["x:1"]}]\n';
const BLOB = Buffer.from(YAML).toString('base64');
// The CLI base64-encodes blob members itself, so it gets the YAML text.
const SCRAPE_CONFIG = JSON.stringify({ configurationBlob: YAML });

async function aws(key: string, ...args: string[]): Promise<any> {
  const { stdout } = await run('aws', [...args, '--output', 'json'], {
    env: { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: 'x', AWS_DEFAULT_REGION: 'eu-west-1', AWS_ENDPOINT_URL: emulator.url, AWS_MAX_ATTEMPTS: '1', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
  });
  return stdout.trim() ? JSON.parse(stdout) : {};
}

async function awsError(key: string, ...args: string[]): Promise<string> {
  try {
    await aws(key, ...args);
  } catch (e) {
    return String((e as { stderr: string }).stderr);
  }
  throw new Error('the call succeeded');
}

const create = (key = 'AKIASOURCE0000000000', extra: string[] = []) =>
  aws(key, 'amp', 'create-scraper', '--alias', 'prod', '--source', `eksConfiguration={clusterArn=${CLUSTER},subnetIds=[subnet-0123abcd,subnet-4567ef01]}`, '--destination', `ampConfiguration={workspaceArn=${WORKSPACE}}`, '--role-configuration', ROLES, '--scrape-configuration', SCRAPE_CONFIG, '--tags', 'team=obs', ...extra);

beforeAll(async () => {
  moto = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const key = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
      if (body.includes('Action=GetCallerIdentity') && ACCOUNTS[key]) {
        res.end(`<GetCallerIdentityResponse><GetCallerIdentityResult><Account>${ACCOUNTS[key]}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`);
        return;
      }
      proxied.push(`${req.method} ${req.url} ${body}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"workspaces":[]}');
    });
  });
  await new Promise<void>((r) => moto.listen(0, '127.0.0.1', r));
  emulator = new ScraperEmulator({ motoUrl: `http://127.0.0.1:${(moto.address() as AddressInfo).port}`, transitionMs: TRANSITION_MS });
  await emulator.start();
});

afterAll(async () => {
  await emulator.stop();
  moto.closeAllConnections();
  await new Promise((r) => moto.close(r));
});

test('listens on 127.0.0.1 only', () => {
  expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

test('create -> CREATING, then ACTIVE; describe returns the full scraper in the caller account', async () => {
  const created = await create();
  expect(created).toMatchObject({ scraperId: expect.stringMatching(/^s-/), status: { statusCode: 'CREATING' }, tags: { team: 'obs' } });
  expect(created.arn).toBe(`arn:aws:aps:eu-west-1:111111111111:scraper/${created.scraperId}`);
  await afterTransition();
  const { scraper } = await aws('AKIASOURCE0000000000', 'amp', 'describe-scraper', '--scraper-id', created.scraperId);
  expect(scraper).toMatchObject({
    alias: 'prod',
    arn: created.arn,
    status: { statusCode: 'ACTIVE' },
    source: { eksConfiguration: { clusterArn: CLUSTER, subnetIds: ['subnet-0123abcd', 'subnet-4567ef01'] } },
    destination: { ampConfiguration: { workspaceArn: WORKSPACE } },
    roleConfiguration: { sourceRoleArn: 'arn:aws:iam::111111111111:role/src', targetRoleArn: 'arn:aws:iam::222222222222:role/tgt' },
    tags: { team: 'obs' },
  });
  expect(scraper.roleArn).toMatch(/^arn:aws:iam::111111111111:role\/aws-service-role\/scraper\.aps\.amazonaws\.com\/AWSServiceRoleForAmazonPrometheusScraper_/);
  // Epoch seconds, as AMP sends them (the CLI prints timestamps as received).
  expect(scraper.createdAt).toBeGreaterThan(Date.now() / 1000 - 60);
  expect(scraper.createdAt).toBeLessThanOrEqual(Date.now() / 1000);
});

test('another account cannot see or touch the scraper', async () => {
  const [mine] = emulator.list('111111111111');
  expect(await awsError('AKIAOTHER00000000000', 'amp', 'describe-scraper', '--scraper-id', mine.scraperId)).toMatch(/ResourceNotFoundException/);
  expect((await aws('AKIAOTHER00000000000', 'amp', 'list-scrapers')).scrapers).toEqual([]);
});

test('update -> UPDATING -> ACTIVE; an update while not ACTIVE is a ConflictException', async () => {
  const [mine] = emulator.list('111111111111');
  const updated = await aws('AKIASOURCE0000000000', 'amp', 'update-scraper', '--scraper-id', mine.scraperId, '--alias', 'renamed');
  expect(updated.status).toEqual({ statusCode: 'UPDATING' });
  expect(await awsError('AKIASOURCE0000000000', 'amp', 'update-scraper', '--scraper-id', mine.scraperId, '--alias', 'again')).toMatch(/ConflictException/);
  await afterTransition();
  const { scraper } = await aws('AKIASOURCE0000000000', 'amp', 'describe-scraper', '--scraper-id', mine.scraperId);
  expect(scraper).toMatchObject({ alias: 'renamed', status: { statusCode: 'ACTIVE' } });
});

test('list filters by alias and status, and pages', async () => {
  await create('AKIASOURCE0000000000', ['--alias', 'second']);
  const byAlias = await aws('AKIASOURCE0000000000', 'amp', 'list-scrapers', '--filters', 'alias=second');
  expect(byAlias.scrapers.map((s: any) => s.alias)).toEqual(['second']);
  expect(byAlias.scrapers[0].scrapeConfiguration).toBeUndefined();
  const creating = await aws('AKIASOURCE0000000000', 'amp', 'list-scrapers', '--filters', 'status=CREATING');
  expect(creating.scrapers.map((s: any) => s.alias)).toEqual(['second']);
  const page = await aws('AKIASOURCE0000000000', 'amp', 'list-scrapers', '--max-results', '1', '--no-paginate');
  expect(page.scrapers).toHaveLength(1);
  expect(page.nextToken).toBeDefined();
});

test('tags on a scraper ARN are served; tag calls for other ARNs go to moto', async () => {
  const [mine] = emulator.list('111111111111');
  await aws('AKIASOURCE0000000000', 'amp', 'tag-resource', '--resource-arn', mine.arn, '--tags', 'env=prod');
  expect((await aws('AKIASOURCE0000000000', 'amp', 'list-tags-for-resource', '--resource-arn', mine.arn)).tags).toEqual({ team: 'obs', env: 'prod' });
  await aws('AKIASOURCE0000000000', 'amp', 'untag-resource', '--resource-arn', mine.arn, '--tag-keys', 'team');
  expect((await aws('AKIASOURCE0000000000', 'amp', 'list-tags-for-resource', '--resource-arn', mine.arn)).tags).toEqual({ env: 'prod' });
  await aws('AKIASOURCE0000000000', 'amp', 'list-workspaces');
  expect(proxied.some((p) => p.startsWith('GET /workspaces'))).toBe(true);
});

test.each([
  ['a malformed cluster ARN', ['--source', 'eksConfiguration={clusterArn=arn:aws:eks:eu-west-1:111111111111:prod,subnetIds=[subnet-0123abcd]}'], 'source.eksConfiguration.clusterArn'],
  ['a malformed subnet', ['--source', `eksConfiguration={clusterArn=${CLUSTER},subnetIds=[net-1]}`], 'source.eksConfiguration.subnetIds'],
  ['a cluster in another region', ['--source', `eksConfiguration={clusterArn=${CLUSTER.replace('eu-west-1', 'us-east-1')},subnetIds=[subnet-0123abcd]}`], 'source.eksConfiguration.clusterArn'],
  ['a blob without scrape_configs', ['--scrape-configuration', JSON.stringify({ configurationBlob: 'global: {}' })], 'scrapeConfiguration.configurationBlob'],
  ['a malformed workspace ARN', ['--destination', 'ampConfiguration={workspaceArn=ws-1}'], 'destination.ampConfiguration.workspaceArn'],
  ['a malformed role ARN', ['--role-configuration', 'sourceRoleArn=src,targetRoleArn=arn:aws:iam::222222222222:role/tgt'], 'roleConfiguration.sourceRoleArn'],
  ['only one role ARN', ['--role-configuration', 'sourceRoleArn=arn:aws:iam::111111111111:role/src'], 'roleConfiguration'],
])('rejects %s with a ValidationException naming the field', async (_name, override, field) => {
  const before = emulator.list().length;
  const message = await awsError('AKIASOURCE0000000000', 'amp', 'create-scraper', '--source', `eksConfiguration={clusterArn=${CLUSTER},subnetIds=[subnet-0123abcd]}`, '--destination', `ampConfiguration={workspaceArn=${WORKSPACE}}`, '--role-configuration', ROLES, '--scrape-configuration', SCRAPE_CONFIG, ...override);
  expect(message).toMatch(/\(ValidationException\) when calling the CreateScraper operation/);
  expect(emulator.list().length).toBe(before);
  const raw = await fetch(`${emulator.url}/scrapers`, {
    method: 'POST',
    headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIASOURCE0000000000/20250101/eu-west-1/aps/aws4_request', 'content-type': 'application/json' },
    body: JSON.stringify({ clientToken: 'x', source: { eksConfiguration: { clusterArn: 'bad', subnetIds: [] } }, destination: { ampConfiguration: { workspaceArn: WORKSPACE } }, scrapeConfiguration: { configurationBlob: BLOB } }),
  });
  expect(raw.status).toBe(400);
  expect(raw.headers.get('x-amzn-errortype')).toBe('ValidationException');
  const body = await raw.json();
  expect(body).toMatchObject({ reason: 'FIELD_VALIDATION_FAILED', fieldList: expect.arrayContaining([expect.objectContaining({ name: 'source.eksConfiguration.clusterArn' })]) });
  void field;
});

test('delete -> DELETING, then gone; describe of a deleted scraper is ResourceNotFoundException', async () => {
  const [mine] = emulator.list('111111111111');
  const deleted = await aws('AKIASOURCE0000000000', 'amp', 'delete-scraper', '--scraper-id', mine.scraperId);
  expect(deleted).toEqual({ scraperId: mine.scraperId, status: { statusCode: 'DELETING' } });
  await afterTransition();
  expect(await awsError('AKIASOURCE0000000000', 'amp', 'describe-scraper', '--scraper-id', mine.scraperId)).toMatch(/ResourceNotFoundException/);
});

test('the default scraper configuration is base64 YAML', async () => {
  const { configuration } = await aws('AKIASOURCE0000000000', 'amp', 'get-default-scraper-configuration');
  expect(Buffer.from(configuration, 'base64').toString('utf8')).toMatch(/^global:\n/);
});

test('injected faults answer with the given status until used up', async () => {
  emulator.inject({ match: ['GET /scrapers'], status: 500, remaining: 1 });
  const first = await fetch(`${emulator.url}/scrapers`, { headers: { authorization: 'Credential=AKIASOURCE0000000000/x/eu-west-1/aps/aws4_request' } });
  const second = await fetch(`${emulator.url}/scrapers`, { headers: { authorization: 'Credential=AKIASOURCE0000000000/x/eu-west-1/aps/aws4_request' } });
  expect([first.status, second.status]).toEqual([500, 200]);
  expect(first.headers.get('x-amzn-errortype')).toBe('InternalFailure');
});
