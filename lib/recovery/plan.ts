/**
 * After an interrupted deploy: what AWS has for a pair that its unit's phase-1 state lacks, and what recovery does
 * about it (pure). The default is to import: an untracked scraper that state has no scraper for is the pair's
 * scraper, minutes into its creation, and importing it costs nothing while replacing it costs a 20-minute create and
 * an 8-minute delete; untracked roles must be imported or every deploy fails with EntityAlreadyExists. Deleting is
 * only for duplicates (state already tracks a scraper for the pair) and only when the user names them.
 * Nothing without amp-xa's tags for this pair is ever imported or deleted: it is reported as someone else's.
 */
import type { PairPlan } from '../config/fleet';
import type { LiveRole, LiveScraper } from '../status/model';
import type { PairAddresses, TrackedResource } from './tracked';

export const MANAGED_BY = { key: 'managed-by', value: 'amp-xa' } as const;
export const PAIR_TAG = 'amp-xa:pair';

export interface LivePair {
  readonly scrapers: readonly LiveScraper[];
  readonly sourceRole?: LiveRole;
  readonly targetRole?: LiveRole;
}

export interface RecoveryImport {
  readonly address: string;
  readonly id: string;
  /** "scraper s-… (CREATING)", "role amp-xa-…-source in 111111111111". */
  readonly what: string;
}

export interface PairRecovery {
  readonly pair: string;
  readonly stack: string;
  /** The scraper the state tracks for the pair, if any. */
  readonly trackedScraper?: string;
  readonly imports: readonly RecoveryImport[];
  /**
   * Tainted in state but alive in AWS (a create interrupted by Ctrl-C): untainting keeps it; otherwise the next
   * deploy replaces it, an 8-minute delete and a 20-minute create for nothing.
   */
  readonly untaints: readonly RecoveryImport[];
  /** amp-xa's scrapers for the pair beyond the one state tracks (or will track): each keeps running until deleted. */
  readonly duplicates: readonly LiveScraper[];
  /** Untracked things with the pair's name or alias that are not amp-xa's: reported, never touched. */
  readonly foreign: readonly string[];
}

const ours = (tags: Readonly<Record<string, string>> | undefined, pair: string) => tags?.[MANAGED_BY.key] === MANAGED_BY.value && tags?.[PAIR_TAG] === pair;

export function needsRecovery(r: PairRecovery): boolean {
  return r.imports.length > 0 || r.untaints.length > 0 || r.duplicates.length > 0 || r.foreign.length > 0;
}

export function pairRecovery(pair: PairPlan, stack: string, live: LivePair, tracked: readonly TrackedResource[], addresses: PairAddresses): PairRecovery {
  const inState = new Map(tracked.map((t) => [t.address, t]));
  const imports: RecoveryImport[] = [];
  const foreign: string[] = [];
  // An adopted pair's imports are in the config already (and its resources were never amp-xa's to begin with).
  const untaints: RecoveryImport[] = [];
  if (pair.adopt) return { pair: pair.name, stack, imports, untaints, duplicates: [], foreign };

  const trackedEntry = addresses.scraper ? inState.get(addresses.scraper) : undefined;
  const trackedScraper = trackedEntry?.id;
  const trackedLive = live.scrapers.find((s) => s.scraperId === trackedScraper);
  if (trackedEntry?.tainted && trackedLive && ['ACTIVE', 'CREATING'].includes(trackedLive.statusCode))
    untaints.push({ address: trackedEntry.address, id: trackedEntry.id, what: `scraper ${trackedEntry.id} (${trackedLive.statusCode}, tainted in state)` });
  // A scraper AWS is deleting is on its way out: not a duplicate, and never imported.
  const untracked = live.scrapers.filter((s) => s.scraperId !== trackedScraper && s.statusCode !== 'DELETING');
  const mine = untracked.filter((s) => ours(s.tags, pair.name));
  for (const s of untracked.filter((s) => !ours(s.tags, pair.name)))
    foreign.push(`scraper ${s.scraperId} (alias ${s.alias ?? '-'}, not tagged ${MANAGED_BY.key}=${MANAGED_BY.value}, ${PAIR_TAG}=${pair.name})`);
  let duplicates = mine;
  if (trackedScraper === undefined && mine.length === 1 && addresses.scraper) {
    imports.push({ address: addresses.scraper, id: mine[0].scraperId, what: `scraper ${mine[0].scraperId} (${mine[0].statusCode})` });
    duplicates = [];
  }

  const roles: Array<[LiveRole | undefined, string, string]> = [
    [live.sourceRole, pair.sourceRoleName, pair.source.id],
    [live.targetRole, pair.targetRoleName, pair.target.id],
  ];
  for (const [role, name, account] of roles) {
    const address = addresses.roles.get(name);
    if (!role || !address || inState.has(address)) continue;
    if (ours(role.tags, pair.name)) imports.push({ address, id: name, what: `role ${name} in ${account}` });
    else
      foreign.push(
        `role ${name} in ${account} (not tagged ${MANAGED_BY.key}=${MANAGED_BY.value}, ${PAIR_TAG}=${pair.name}): the deploy cannot create the pair's role while it exists`,
      );
  }
  return { pair: pair.name, stack, ...(trackedScraper ? { trackedScraper } : {}), imports, untaints, duplicates, foreign };
}

/** What to run, one line each: the commands that finish the job. */
export function recoveryAdvice(r: PairRecovery): string[] {
  const lines: string[] = [];
  if (r.untaints.length) lines.push(`${r.untaints.map((i) => i.what).join(', ')}: the next deploy would replace it; keep it with npm run recover -- --apply`);
  if (r.imports.length)
    lines.push(
      `${r.imports.map((i) => i.what).join(', ')} exist in AWS but not in the state of ${r.stack}: bring them under management with npm run recover -- --apply`,
    );
  if (r.duplicates.length) {
    const tracked = r.trackedScraper ? `state tracks ${r.trackedScraper}; ` : `state tracks no scraper and ${r.duplicates.length} match; `;
    lines.push(
      `${tracked}untracked: ${r.duplicates.map((s) => `${s.scraperId} (${s.statusCode})`).join(', ')}, running without trust (denied) and using quota: delete with ${r.duplicates.map((s) => `npm run recover -- --delete-scraper ${s.scraperId}`).join('; ')}`,
    );
  }
  for (const f of r.foreign) lines.push(`not amp-xa's, left alone: ${f}`);
  return lines;
}
