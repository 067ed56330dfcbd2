/**
 * The scraper emulator's wire side: the emulated scraper record, AMP's response shapes (DescribeScraper,
 * ListScrapers pages) and the HTTP plumbing (body parsing, SigV4 region, JSON answers with x-amzn-ErrorType).
 */
import type * as http from 'http';
import { cannotParse, partitionOf } from './validation';

export type ScraperStatus = 'CREATING' | 'UPDATING' | 'ACTIVE' | 'DELETING' | 'CREATION_FAILED' | 'UPDATE_FAILED' | 'DELETION_FAILED';

export type Mutable = Pick<EmulatedScraper, 'alias' | 'destination' | 'roleConfiguration' | 'scrapeConfiguration'>;

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
  /** Epoch ms at which the pending transition (CREATING/UPDATING -> ACTIVE or *_FAILED, DELETING -> gone) happens. */
  transitionAt?: number;
  /** Set by failNext: the pending transition ends in failure; an update failure restores `previous`. */
  failure?: { reason: string; previous?: Mutable };
}

/** ListScrapers: filters (status, alias, sourceArn, destinationArn), a page, summaries without scrapeConfiguration. */
export function listPage(scrapers: EmulatedScraper[], url: URL) {
  const filters = ['status', 'alias', 'sourceArn', 'destinationArn'].map((k) => [k, url.searchParams.getAll(k)] as const).filter(([, v]) => v.length);
  const matches = scrapers.filter((s) =>
    filters.every(([key, values]) => {
      const actual = {
        status: s.status.statusCode,
        alias: s.alias,
        sourceArn: s.source.eksConfiguration.clusterArn,
        destinationArn: s.destination.ampConfiguration.workspaceArn,
      }[key];
      return values.includes(actual ?? '');
    }),
  );
  const max = Number(url.searchParams.get('maxResults') ?? 1000);
  const start = Number(url.searchParams.get('nextToken') ?? 0);
  const summaries = matches.slice(start, start + max).map((s) => {
    const full = describe(s);
    delete (full as Partial<typeof full>).scrapeConfiguration;
    return full;
  });
  return { scrapers: summaries, ...(start + max < matches.length ? { nextToken: String(start + max) } : {}) };
}

/**
 * DescribeScraper's scraper. roleArn is the scraper's service-linked role, in the scraper's partition, named
 * as AWS names it: AWSServiceRoleForAmazonPrometheusScraper_ + the first 15 characters of the ID after "s-".
 */
export function describe(s: EmulatedScraper) {
  return {
    alias: s.alias,
    arn: s.arn,
    createdAt: s.createdAt,
    lastModifiedAt: s.lastModifiedAt,
    destination: s.destination,
    roleArn: `arn:${partitionOf(s.region)}:iam::${s.account}:role/aws-service-role/scraper.aps.amazonaws.com/AWSServiceRoleForAmazonPrometheusScraper_${s.scraperId.slice(2, 17)}`,
    roleConfiguration: s.roleConfiguration,
    scrapeConfiguration: s.scrapeConfiguration,
    scraperId: s.scraperId,
    source: s.source,
    status: s.status,
    ...(s.statusReason ? { statusReason: s.statusReason } : {}),
    tags: s.tags,
  };
}

/** A JSON object body, or {} when empty; anything else is AMP's 400 (never a crash). */
export function parseBody(text: string): Record<string, any> {
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw cannotParse((e as Error).message);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw cannotParse('the body must be a JSON object');
  return parsed as Record<string, any>;
}

export function regionOf(req: http.IncomingMessage): string {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? 'us-east-1';
}

export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(res: http.ServerResponse, status: number, payload: unknown, errorType?: string): void {
  const text = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(text);
}
