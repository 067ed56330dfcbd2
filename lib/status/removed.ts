/**
 * What a phase-1 state still tracks of pairs that are no longer in the config. A deploy that removes a pair and is
 * interrupted (its scraper DELETING, its roles not yet deleted) leaves them there; the per-pair checks only look at
 * configured pairs, so without this status would call the fleet healthy while the next deploy fails on them.
 */
import { parseArn } from '../arn';
import type { AccountRef } from '../config/fleet';
import type { TrackedResource } from '../recovery/tracked';
import type { CheckResult, LiveScraper, PairReport, Read } from './model';

export interface RemovedPair {
  readonly pair: string;
  readonly stack: string;
  readonly scrapers: TrackedResource[];
  readonly roles: TrackedResource[];
  readonly others: TrackedResource[];
}

/** The state's resources tagged with a pair the config does not have, by pair (pure). */
export function removedPairs(stack: string, tracked: readonly TrackedResource[], configured: ReadonlySet<string>): RemovedPair[] {
  const byPair = new Map<string, RemovedPair>();
  for (const r of tracked) {
    if (r.pair === undefined || configured.has(r.pair)) continue;
    const entry = byPair.get(r.pair) ?? { pair: r.pair, stack, scrapers: [], roles: [], others: [] };
    (r.type === 'aws_prometheus_scraper' ? entry.scrapers : r.type === 'aws_iam_role' ? entry.roles : entry.others).push(r);
    byPair.set(r.pair, entry);
  }
  return [...byPair.values()].sort((a, b) => a.pair.localeCompare(b.pair));
}

/** The fleet account an ARN lives in (its ID and region), for the read of a leftover scraper. */
export function accountOfArn(accounts: readonly AccountRef[], arn: string | undefined): AccountRef | undefined {
  const parsed = arn ? parseArn(arn) : undefined;
  return parsed ? accounts.find((a) => a.id === parsed.account && a.region === parsed.region) : undefined;
}

const accountIdOf = (arn: string | undefined) => (arn ? (parseArn(arn)?.account ?? '') : '');

/** The report of one removed pair: always degraded (the next deploy has work to do), saying which command finishes it. */
export function removedPairReport(removed: RemovedPair, live: ReadonlyMap<string, Read<LiveScraper>>): PairReport {
  const what = [
    ...removed.scrapers.map((s) => `scraper ${s.id}`),
    ...removed.roles.map((r) => `role ${r.id}`),
    ...(removed.others.length ? [`${removed.others.length} other resource${removed.others.length === 1 ? '' : 's'}`] : []),
  ].join(', ');
  const details: string[] = [];
  let deleting = false;
  for (const s of removed.scrapers) {
    const read = live.get(s.id);
    if (!read) details.push(`scraper ${s.id}: its account is not in the config, so it was not read`);
    else if (read.state === 'missing') details.push(`scraper ${s.id} is gone from AWS already; the next deploy forgets it and deletes the rest`);
    else if (read.state === 'error') details.push(`scraper ${s.id} could not be read: ${read.detail}`);
    else if (read.value.statusCode === 'DELETING') {
      deleting = true;
      details.push(`AMP is still deleting scraper ${s.id} (an interrupted deploy started it): a deploy now fails with "already being deleted"`);
    } else details.push(`scraper ${s.id} is ${read.value.statusCode}`);
  }
  details.push(
    deleting
      ? 'wait until npm run status no longer shows it DELETING (a few minutes), then run npm run deploy: it finishes the removal'
      : 'run npm run deploy: it deletes them (the deploy that removed the pair did not finish)',
  );
  const check: CheckResult = {
    check: 'removed',
    state: 'problem',
    summary: `not in the config any more; the state of ${removed.stack} still tracks ${what}`,
    details,
  };
  const scraper = removed.scrapers[0];
  const liveScraper = scraper ? live.get(scraper.id) : undefined;
  // The stack names each pair's roles <pair>/source-role and <pair>/target-role (their addresses say which).
  const role = (side: string) => removed.roles.find((r) => r.address.includes(`${side}-role`))?.arn;
  return {
    pair: removed.pair,
    sourceAccount: accountIdOf(scraper?.arn ?? role('source')),
    targetAccount: accountIdOf(role('target')),
    region: (scraper?.arn ? parseArn(scraper.arn)?.region : undefined) ?? '',
    health: 'degraded',
    ...(scraper && liveScraper?.state === 'found'
      ? {
          scraper: {
            id: scraper.id,
            arn: liveScraper.value.arn,
            status: liveScraper.value.statusCode,
            ...(liveScraper.value.statusReason ? { statusReason: liveScraper.value.statusReason } : {}),
          },
        }
      : {}),
    checks: [check],
  };
}

export interface RemovedPairReads {
  readonly tracked: (stack: string) => Promise<TrackedResource[] | undefined>;
  readonly scraper: (account: AccountRef, scraperId: string) => Promise<Read<LiveScraper>>;
}

/** Reports of every removed pair the given phase-1 stacks still track, each leftover scraper read from AWS. */
export async function removedPairReports(
  stacks: readonly string[],
  configured: ReadonlySet<string>,
  accounts: readonly AccountRef[],
  reads: RemovedPairReads,
): Promise<PairReport[]> {
  const reports: PairReport[] = [];
  for (const stack of stacks) {
    const tracked = await reads.tracked(stack);
    for (const removed of removedPairs(stack, tracked ?? [], configured)) {
      const live = new Map<string, Read<LiveScraper>>();
      for (const s of removed.scrapers) {
        const account = accountOfArn(accounts, s.arn);
        if (account) live.set(s.id, await reads.scraper(account, s.id));
      }
      reports.push(removedPairReport(removed, live));
    }
  }
  return reports;
}
