/**
 * A small AMP scraper API emulator for end-to-end tests (moto has no scraper API). It serves the
 * scraper operations with the wire shapes of the AMP restJson1 model and proxies every other request
 * (IAM, STS, S3, AMP workspaces...) to moto. The calling account comes from the request's access key,
 * resolved through moto's GetCallerIdentity, so two emulated accounts see two sets of scrapers.
 * Binds to 127.0.0.1 only.
 */
import * as http from 'http';
import { randomUUID } from 'crypto';
import type { AddressInfo } from 'net';
import { ApiError, checkCreate, checkMutable, validation } from './scraper-validation';

export type ScraperStatus = 'CREATING' | 'UPDATING' | 'ACTIVE' | 'DELETING' | 'CREATION_FAILED' | 'UPDATE_FAILED' | 'DELETION_FAILED';

export interface EmulatedScraper {
  scraperId: string;
  arn: string;
  account: string;
  region: string;
  alias?: string;
  createdAt: number;
  lastModifiedAt: number;
  destination: { ampConfiguration: { workspaceArn: string } };
  roleConfiguration?: { sourceRoleArn: string; targetRoleArn: string };
  scrapeConfiguration: { configurationBlob: string };
  source: { eksConfiguration: { clusterArn: string; subnetIds: string[]; securityGroupIds?: string[] } };
  status: { statusCode: ScraperStatus };
  statusReason?: string;
  tags: Record<string, string>;
  /** Epoch ms at which the pending transition (CREATING/UPDATING -> ACTIVE, DELETING -> gone) happens. */
  transitionAt?: number;
}

/** Makes matching requests fail with `status` until `remaining` reaches 0. */
export interface Fault {
  /** Substrings that must all occur in "METHOD path?query body", e.g. ["Action=UpdateAssumeRolePolicy", "RoleName=x"]. */
  match: string[];
  status: number;
  errorType: string;
  remaining: number;
}

export interface EmulatorOptions {
  /** moto server base URL, e.g. http://127.0.0.1:5000 */
  motoUrl: string;
  /** How long CREATING/UPDATING/DELETING last. */
  transitionMs?: number;
  port?: number;
}

export class ScraperEmulator {
  readonly scrapers = new Map<string, EmulatedScraper>();
  readonly faults: Fault[] = [];
  /** Every request seen, "METHOD path [Action]", in order, for assertions on what clients called. */
  readonly requests: string[] = [];
  private server?: http.Server;
  private readonly accounts = new Map<string, string>();
  private readonly transitionMs: number;
  url = '';

  constructor(private readonly options: EmulatorOptions) {
    this.transitionMs = options.transitionMs ?? 2000;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  inject(fault: Omit<Fault, 'errorType'> & { errorType?: string }): void {
    this.faults.push({ errorType: 'InternalFailure', ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Scrapers of one account, after applying due transitions. */
  list(account?: string): EmulatedScraper[] {
    this.advance();
    return [...this.scrapers.values()].filter((s) => !account || s.account === account);
  }

  private advance(now = Date.now()): void {
    for (const [id, s] of this.scrapers) {
      if (s.transitionAt === undefined || s.transitionAt > now) continue;
      s.transitionAt = undefined;
      if (s.status.statusCode === 'DELETING') this.scrapers.delete(id);
      else if (s.status.statusCode === 'CREATING' || s.status.statusCode === 'UPDATING') s.status = { statusCode: 'ACTIVE' };
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://emulator');
    const text = body.toString('utf8');
    const action = /(?:^|&)Action=(\w+)/.exec(text)?.[1];
    this.requests.push(`${req.method} ${url.pathname}${action ? ` ${action}` : ''}`);
    const signature = `${req.method} ${url.pathname}${url.search} ${text}`;
    const fault = this.faults.find((f) => f.remaining > 0 && f.match.every((m) => signature.includes(m)));
    if (fault) {
      fault.remaining--;
      return send(res, fault.status, { message: `injected fault (${fault.match.join(' ')})` }, fault.errorType);
    }
    const scraperTags = /^\/tags\/(.+)$/.exec(url.pathname);
    const ours =
      url.pathname === '/scrapers' ||
      url.pathname.startsWith('/scrapers/') ||
      url.pathname === '/scraperconfiguration' ||
      (scraperTags !== null && decodeURIComponent(scraperTags[1]).includes(':scraper/'));
    if (!ours) return this.proxy(req, res, body);
    try {
      const account = await this.accountOf(req);
      const region = regionOf(req);
      const [status, payload] = this.serve(req.method ?? 'GET', url, body, account, region);
      send(res, status, payload);
    } catch (e) {
      if (e instanceof ApiError) return send(res, e.status, { message: e.message, ...e.extra }, e.errorType);
      send(res, 500, { message: String(e) }, 'InternalServerException');
    }
  }

  private serve(method: string, url: URL, body: Buffer, account: string, region: string): [number, unknown] {
    this.advance();
    const input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, any>) : {};
    const idMatch = /^\/scrapers\/([^/]+)$/.exec(url.pathname);
    const tagsMatch = /^\/tags\/(.+)$/.exec(url.pathname);
    if (method === 'GET' && url.pathname === '/scraperconfiguration') {
      const yaml = 'global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: pod_exporter\n    kubernetes_sd_configs:\n      - role: pod\n';
      return [200, { configuration: Buffer.from(yaml).toString('base64') }];
    }
    if (method === 'POST' && url.pathname === '/scrapers') return [202, this.create(input, account, region)];
    if (method === 'GET' && url.pathname === '/scrapers') return [200, this.listScrapers(url, account)];
    if (idMatch) {
      const scraper = this.find(idMatch[1], account);
      if (method === 'GET') return [200, { scraper: describe(scraper) }];
      if (method === 'PUT') return [202, this.update(scraper, input)];
      if (method === 'DELETE') {
        if (scraper.status.statusCode === 'DELETING') throw new ApiError(409, 'ConflictException', `Scraper ${scraper.scraperId} is already being deleted`, { resourceId: scraper.scraperId, resourceType: 'scraper' });
        scraper.status = { statusCode: 'DELETING' };
        scraper.transitionAt = Date.now() + this.transitionMs;
        return [202, { scraperId: scraper.scraperId, status: scraper.status }];
      }
    }
    if (tagsMatch) {
      const arn = decodeURIComponent(tagsMatch[1]);
      const scraper = this.find(arn.split('/').pop() ?? '', account);
      if (method === 'GET') return [200, { tags: scraper.tags }];
      if (method === 'POST') {
        Object.assign(scraper.tags, input.tags ?? {});
        return [200, {}];
      }
      if (method === 'DELETE') {
        for (const key of url.searchParams.getAll('tagKeys')) delete scraper.tags[key];
        return [200, {}];
      }
    }
    throw new ApiError(404, 'ResourceNotFoundException', `No route for ${method} ${url.pathname}`);
  }

  private find(id: string, account: string): EmulatedScraper {
    const scraper = this.scrapers.get(id);
    if (!scraper || scraper.account !== account) {
      throw new ApiError(404, 'ResourceNotFoundException', `Scraper ${id} not found`, { resourceId: id, resourceType: 'scraper' });
    }
    return scraper;
  }

  private create(input: Record<string, any>, account: string, region: string) {
    const problems = checkCreate(input, region);
    if (problems.length) throw validation(problems);
    const scraperId = `s-${randomUUID()}`;
    const now = Math.floor(Date.now() / 1000);
    const partition = input.source.eksConfiguration.clusterArn.split(':')[1];
    const scraper: EmulatedScraper = {
      scraperId,
      arn: `arn:${partition}:aps:${region}:${account}:scraper/${scraperId}`,
      account,
      region,
      alias: input.alias,
      createdAt: now,
      lastModifiedAt: now,
      destination: input.destination,
      roleConfiguration: input.roleConfiguration,
      scrapeConfiguration: input.scrapeConfiguration,
      source: input.source,
      status: { statusCode: 'CREATING' },
      tags: input.tags ?? {},
      transitionAt: Date.now() + this.transitionMs,
    };
    this.scrapers.set(scraperId, scraper);
    return { scraperId, arn: scraper.arn, status: scraper.status, tags: scraper.tags };
  }

  private update(scraper: EmulatedScraper, input: Record<string, any>) {
    if (scraper.status.statusCode !== 'ACTIVE') {
      throw new ApiError(409, 'ConflictException', `Scraper ${scraper.scraperId} is ${scraper.status.statusCode}; only ACTIVE scrapers can be updated`, { resourceId: scraper.scraperId, resourceType: 'scraper' });
    }
    const problems = checkMutable(input, scraper.region, false);
    if (problems.length) throw validation(problems);
    if (input.alias !== undefined) scraper.alias = input.alias;
    if (input.destination !== undefined) scraper.destination = input.destination;
    if (input.roleConfiguration !== undefined) scraper.roleConfiguration = input.roleConfiguration;
    if (input.scrapeConfiguration !== undefined) scraper.scrapeConfiguration = input.scrapeConfiguration;
    scraper.lastModifiedAt = Math.floor(Date.now() / 1000);
    scraper.status = { statusCode: 'UPDATING' };
    scraper.transitionAt = Date.now() + this.transitionMs;
    return { arn: scraper.arn, scraperId: scraper.scraperId, status: scraper.status, tags: scraper.tags };
  }

  private listScrapers(url: URL, account: string) {
    const filters = ['status', 'alias', 'sourceArn', 'destinationArn'].map((k) => [k, url.searchParams.getAll(k)] as const).filter(([, v]) => v.length);
    const matches = this.list(account).filter((s) =>
      filters.every(([key, values]) => {
        const actual = { status: s.status.statusCode, alias: s.alias, sourceArn: s.source.eksConfiguration.clusterArn, destinationArn: s.destination.ampConfiguration.workspaceArn }[key];
        return values.includes(actual ?? '');
      }),
    );
    const max = Number(url.searchParams.get('maxResults') ?? 1000);
    const start = Number(url.searchParams.get('nextToken') ?? 0);
    const page = matches.slice(start, start + max);
    const summaries = page.map((s) => {
      const full = describe(s);
      delete (full as Partial<typeof full>).scrapeConfiguration;
      return full;
    });
    return { scrapers: summaries, ...(start + max < matches.length ? { nextToken: String(start + max) } : {}) };
  }

  /** Account of the caller: moto knows which account an access key (incl. an assumed-role key) belongs to. */
  private async accountOf(req: http.IncomingMessage): Promise<string> {
    const auth = req.headers.authorization ?? '';
    const key = /Credential=([^/]+)\//.exec(auth)?.[1];
    if (!key) throw new ApiError(403, 'AccessDeniedException', 'Missing SigV4 credentials');
    const cached = this.accounts.get(key);
    if (cached) return cached;
    const response = await fetch(`${this.options.motoUrl}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `AWS4-HMAC-SHA256 Credential=${key}/20250101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    const account = /<Account>(\d{12})<\/Account>/.exec(await response.text())?.[1];
    if (!account) throw new ApiError(403, 'AccessDeniedException', `Unknown access key ${key}`);
    this.accounts.set(key, account);
    return account;
  }

  private proxy(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const target = new URL(req.url ?? '/', this.options.motoUrl);
    const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (e) => send(res, 502, { message: `moto unreachable: ${e.message}` }, 'InternalServerException'));
    upstream.end(body);
  }
}

function describe(s: EmulatedScraper) {
  return {
    alias: s.alias,
    arn: s.arn,
    createdAt: s.createdAt,
    lastModifiedAt: s.lastModifiedAt,
    destination: s.destination,
    roleArn: `arn:aws:iam::${s.account}:role/aws-service-role/scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraper_${s.scraperId.slice(2, 17)}`,
    roleConfiguration: s.roleConfiguration,
    scrapeConfiguration: s.scrapeConfiguration,
    scraperId: s.scraperId,
    source: s.source,
    status: s.status,
    ...(s.statusReason ? { statusReason: s.statusReason } : {}),
    tags: s.tags,
  };
}

function regionOf(req: http.IncomingMessage): string {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? 'us-east-1';
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, payload: unknown, errorType?: string): void {
  const text = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(text);
}
