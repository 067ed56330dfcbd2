/**
 * The AMP scraper API emulator of the sandbox and the end-to-end tests (moto has no scraper API). It serves the
 * scraper operations with the wire shapes of the AMP restJson1 model and proxies every other request
 * (IAM, STS, EKS, S3, AMP workspaces...) to moto, EKS completed where moto answers less than EKS (../eks/emulation.ts). The calling account comes from the request's access key,
 * resolved through moto's GetCallerIdentity, so two emulated accounts see two sets of scrapers.
 * CreateScraper/UpdateScraper refuse what AMP refuses (see validation.ts), including a destination
 * workspace that moto does not hold in its own account. Binds to 127.0.0.1 only.
 */
import * as http from 'http';
import { createHash, randomUUID } from 'crypto';
import type { AddressInfo } from 'net';
import { MotoClient } from './moto-client';
import { EksEmulation, serviceOf } from '../eks/emulation';
import { ApiError, checkCreate, checkMutable, conflict, notFound, partitionOf, validation, type Caller } from './validation';
import { describe, listPage, parseBody, readBody, regionOf, send, type EmulatedScraper, type Mutable, type ScraperStatus } from './wire';

export type { EmulatedScraper, ScraperStatus } from './wire';

/** Makes matching requests fail with `status` until `remaining` reaches 0. */
export interface Fault {
  /** Substrings that must all occur in "METHOD path?query body", e.g. ["Action=UpdateAssumeRolePolicy", "RoleName=x"]. */
  match: string[];
  status: number;
  errorType: string;
  remaining: number;
}

/** A pending asynchronous failure (see failNext). */
export interface FailureSpec {
  operation: 'create' | 'update';
  statusReason: string;
  /** Only a request for a scraper with this alias (the request's alias, else the scraper's) matches. */
  match?: { alias?: string };
}

export interface EmulatorOptions {
  /** moto server base URL, e.g. http://127.0.0.1:5000 */
  motoUrl: string;
  /** How long CREATING/UPDATING/DELETING last. */
  transitionMs?: number;
  port?: number;
  /** Scrapers per account and region before CreateScraper answers 402 (AMP's default quota: 10). */
  scraperQuota?: number;
}

export class ScraperEmulator {
  readonly scrapers = new Map<string, EmulatedScraper>();
  readonly faults: Fault[] = [];
  /** Every request seen, "METHOD path [Action]", in order, for assertions on what clients called. */
  readonly requests: string[] = [];
  private server?: http.Server;
  private readonly moto: MotoClient;
  /** EKS answers completed as EKS gives them (moto has no accessConfig or vpcId). */
  private readonly eks: EksEmulation;
  private readonly transitionMs: number;
  private readonly workspaces = new Set<string>();
  private readonly failures: FailureSpec[] = [];
  url = '';

  constructor(private readonly options: EmulatorOptions) {
    this.transitionMs = options.transitionMs ?? 2000;
    this.moto = new MotoClient(options.motoUrl);
    this.eks = new EksEmulation(this.moto);
  }

  /** Listens on 127.0.0.1 (options.port or a free port); resolves to the endpoint URL. */
  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${this.address().port}`;
    return this.url;
  }

  /** The listening socket's address, as the OS reports it. */
  address(): AddressInfo {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('the emulator is not listening');
    return address;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Makes requests matching `fault.match` answer `fault.status` (default error type InternalFailure). */
  inject(fault: Omit<Fault, 'errorType'> & { errorType?: string }): void {
    this.faults.push({ errorType: 'InternalFailure', ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /**
   * Treats a workspace ARN as existing without asking moto (moto picks workspace IDs itself, so a config
   * naming a fixed workspace ARN cannot be created there).
   */
  registerWorkspace(arn: string): void {
    this.workspaces.add(arn);
  }

  /**
   * The next accepted CreateScraper (operation 'create') or UpdateScraper ('update') matching `spec.match`
   * goes CREATING -> CREATION_FAILED (UPDATING -> UPDATE_FAILED, the update undone) with `statusReason`.
   * Each call arms one failure; several calls queue up.
   */
  failNext(spec: FailureSpec): void {
    this.failures.push(spec);
  }

  /** Sets a scraper's status (and statusReason, cleared when omitted) now, cancelling any pending transition. */
  setStatus(scraperId: string, statusCode: ScraperStatus, statusReason?: string): void {
    const scraper = this.scrapers.get(scraperId);
    if (!scraper) throw new Error(`no scraper ${scraperId}`);
    scraper.status = { statusCode };
    scraper.statusReason = statusReason;
    scraper.transitionAt = undefined;
    scraper.failure = undefined;
  }

  /**
   * Holds a scraper's pending transition (CREATING, UPDATING, DELETING) until completeTransitions(): AWS takes
   * minutes where the emulator's transitionMs may end it before the next command looks.
   */
  holdTransition(scraperId: string): void {
    const scraper = this.scrapers.get(scraperId);
    if (!scraper || scraper.transitionAt === undefined) throw new Error(`scraper ${scraperId} has no transition pending`);
    scraper.transitionAt = Infinity;
  }

  /** Completes every pending transition now, as if transitionMs had passed. */
  completeTransitions(): void {
    this.advance(Infinity);
  }

  /** Scrapers of one account (all when omitted), after applying due transitions. */
  list(account?: string): EmulatedScraper[] {
    this.advance();
    return [...this.scrapers.values()].filter((s) => !account || s.account === account);
  }

  private advance(now = Date.now()): void {
    for (const [id, s] of this.scrapers) {
      if (s.transitionAt === undefined || s.transitionAt > now) continue;
      s.transitionAt = undefined;
      const code = s.status.statusCode;
      if (code === 'DELETING') this.scrapers.delete(id);
      else if (s.failure && (code === 'CREATING' || code === 'UPDATING')) {
        s.status = { statusCode: code === 'CREATING' ? 'CREATION_FAILED' : 'UPDATE_FAILED' };
        s.statusReason = s.failure.reason;
        if (s.failure.previous) Object.assign(s, s.failure.previous);
        s.failure = undefined;
      } else if (code === 'CREATING' || code === 'UPDATING') {
        s.status = { statusCode: 'ACTIVE' };
        s.statusReason = undefined;
      }
    }
  }

  private takeFailure(operation: FailureSpec['operation'], alias: string | undefined): FailureSpec | undefined {
    const index = this.failures.findIndex((f) => f.operation === operation && (f.match?.alias === undefined || f.match.alias === alias));
    return index < 0 ? undefined : this.failures.splice(index, 1)[0];
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
    const eks = serviceOf(req.headers.authorization) === 'eks' && EksEmulation.handles(req.method ?? 'GET', url.pathname);
    if (!ours && !eks) return this.moto.proxy(req, res, body, (message) => send(res, 502, { message }, 'InternalServerException'));
    try {
      const key = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
      if (!key) throw new ApiError(403, 'AccessDeniedException', 'Missing SigV4 credentials');
      const caller = { account: await this.moto.accountOf(key), region: regionOf(req) };
      if (eks) {
        const request = { method: req.method ?? 'GET', path: url.pathname, body: parseBody(text), key, ...caller };
        const answer = await this.eks.serve(request, () => this.moto.forward(req, body));
        if (Array.isArray(answer)) return send(res, answer[0], answer[1]);
        res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
        return void res.end(answer.body);
      }
      const [status, payload] = await this.serve(req.method ?? 'GET', url, parseBody(text), caller);
      send(res, status, payload);
    } catch (e) {
      if (e instanceof ApiError) return send(res, e.status, { message: e.message, ...e.extra }, e.errorType);
      send(res, 500, { message: String(e) }, 'InternalServerException');
    }
  }

  private async serve(method: string, url: URL, input: Record<string, any>, caller: Caller): Promise<[number, unknown]> {
    this.advance();
    const idMatch = /^\/scrapers\/([^/]+)$/.exec(url.pathname);
    const tagsMatch = /^\/tags\/(.+)$/.exec(url.pathname);
    if (method === 'GET' && url.pathname === '/scraperconfiguration') {
      const yaml = 'global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: pod_exporter\n    kubernetes_sd_configs:\n      - role: pod\n';
      return [200, { configuration: Buffer.from(yaml).toString('base64') }];
    }
    if (method === 'POST' && url.pathname === '/scrapers') return [202, await this.create(input, caller)];
    if (method === 'GET' && url.pathname === '/scrapers') return [200, this.listScrapers(url, caller.account)];
    if (idMatch) {
      const scraper = this.find(decodeURIComponent(idMatch[1]), caller.account);
      if (method === 'GET') return [200, { scraper: describe(scraper) }];
      if (method === 'PUT') return [202, await this.update(scraper, input, caller)];
      if (method === 'DELETE') {
        if (scraper.status.statusCode === 'DELETING') throw conflict(scraper.scraperId, `Scraper ${scraper.scraperId} is already being deleted`);
        scraper.status = { statusCode: 'DELETING' };
        scraper.failure = undefined;
        scraper.transitionAt = Date.now() + this.transitionMs;
        return [202, { scraperId: scraper.scraperId, status: scraper.status }];
      }
    }
    if (tagsMatch) {
      const arn = decodeURIComponent(tagsMatch[1]);
      const scraper = this.find(arn.split('/').pop() ?? '', caller.account);
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
    throw notFound('route', url.pathname, `No route for ${method} ${url.pathname}`);
  }

  private find(id: string, account: string): EmulatedScraper {
    const scraper = this.scrapers.get(id);
    if (!scraper || scraper.account !== account) throw notFound('scraper', id, `Scraper ${id} not found`);
    return scraper;
  }

  /** [docs] the destination workspace must exist: 404 naming it otherwise. */
  private async requireWorkspace(input: Record<string, any>): Promise<void> {
    const arn: string | undefined = input.destination?.ampConfiguration?.workspaceArn;
    if (arn === undefined || this.workspaces.has(arn) || (await this.moto.workspaceExists(arn))) return;
    throw notFound('workspace', arn.split('/').pop() ?? arn, `Workspace ${arn} not found`);
  }

  private async create(input: Record<string, any>, caller: Caller) {
    const problems = checkCreate(input, caller);
    if (problems.length) throw validation(problems);
    await this.requireWorkspace(input);
    const quota = this.options.scraperQuota ?? 10;
    const held = this.list(caller.account).filter((s) => s.region === caller.region).length;
    if (held >= quota) {
      // [docs] 10 scrapers per account and region. The quota code is the emulator's own placeholder.
      throw new ApiError(402, 'ServiceQuotaExceededException', `Scraper quota exceeded: ${held} of ${quota} scrapers in ${caller.account}/${caller.region}`, {
        resourceId: caller.account,
        resourceType: 'scraper',
        serviceCode: 'aps',
        quotaCode: 'emulated-scrapers-per-region',
      });
    }
    const scraperId = `s-${randomUUID()}`;
    const now = Math.floor(Date.now() / 1000);
    const failure = this.takeFailure('create', input.alias);
    const scraper: EmulatedScraper = {
      scraperId,
      arn: `arn:${partitionOf(caller.region)}:aps:${caller.region}:${caller.account}:scraper/${scraperId}`,
      account: caller.account,
      region: caller.region,
      alias: input.alias,
      createdAt: now,
      lastModifiedAt: now,
      destination: input.destination,
      roleConfiguration: input.roleConfiguration,
      scrapeConfiguration: input.scrapeConfiguration,
      source: withDefaultSecurityGroup(input.source),
      status: { statusCode: 'CREATING' },
      tags: input.tags ?? {},
      transitionAt: Date.now() + this.transitionMs,
      ...(failure ? { failure: { reason: failure.statusReason } } : {}),
    };
    this.scrapers.set(scraperId, scraper);
    return { scraperId, arn: scraper.arn, status: scraper.status, tags: scraper.tags };
  }

  private async update(scraper: EmulatedScraper, input: Record<string, any>, caller: Caller) {
    // Not while a change is in progress (CREATING, UPDATING, DELETING); other states accept updates here.
    if (['CREATING', 'UPDATING', 'DELETING'].includes(scraper.status.statusCode)) {
      throw conflict(scraper.scraperId, `Scraper ${scraper.scraperId} is ${scraper.status.statusCode}; it cannot be updated until that completes`);
    }
    const problems = checkMutable(input, caller);
    if (problems.length) throw validation(problems);
    await this.requireWorkspace(input);
    const previous: Mutable = {
      alias: scraper.alias,
      destination: scraper.destination,
      roleConfiguration: scraper.roleConfiguration,
      scrapeConfiguration: scraper.scrapeConfiguration,
    };
    const failure = this.takeFailure('update', input.alias ?? scraper.alias);
    if (input.alias !== undefined) scraper.alias = input.alias;
    if (input.destination !== undefined) scraper.destination = input.destination;
    if (input.roleConfiguration !== undefined) scraper.roleConfiguration = input.roleConfiguration;
    if (input.scrapeConfiguration !== undefined) scraper.scrapeConfiguration = input.scrapeConfiguration;
    scraper.lastModifiedAt = Math.floor(Date.now() / 1000);
    scraper.status = { statusCode: 'UPDATING' };
    scraper.transitionAt = Date.now() + this.transitionMs;
    scraper.failure = failure ? { reason: failure.statusReason, previous } : undefined;
    return { arn: scraper.arn, scraperId: scraper.scraperId, status: scraper.status, tags: scraper.tags };
  }

  private listScrapers(url: URL, account: string) {
    return listPage(this.list(account), url);
  }
}

/**
 * Without securityGroupIds AWS picks the scraper's security group itself and reports it: hashicorp/aws marks
 * source.eks.security_group_ids Computed (UseStateForUnknown). Reporting none makes the provider plan a
 * replacement on every later change, so the emulator reports one stable group derived from the cluster ARN.
 */
function withDefaultSecurityGroup(source: EmulatedScraper['source']): EmulatedScraper['source'] {
  const eks = source.eksConfiguration;
  if (eks.securityGroupIds?.length) return source;
  const sg = `sg-${createHash('sha256').update(eks.clusterArn).digest('hex').slice(0, 17)}`;
  return { ...source, eksConfiguration: { ...eks, securityGroupIds: [sg] } };
}
