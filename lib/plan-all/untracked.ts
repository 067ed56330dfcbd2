/**
 * For plan-all: per pair, what AWS has that its unit's phase-1 state does not track (a deploy killed while AMP
 * created the scraper, a deploy run again after that). Every later plan says "No changes" while such a scraper
 * runs on, so the plan alone cannot tell; this reads the pair's scrapers and roles with the config's credentials
 * (the status readers) and the state with Terraform (as recover does), once the plans initialized its stack: it
 * runs beside the plans (gates.ts).
 */
import { loadFleetConfig } from '../config/load';
import type { FleetPlan, PairPlan } from '../config/fleet';
import { unitStackNames } from '../config/plan';
import { needsRecovery, recoveryAdvice } from '../recovery/plan';
import { recoveryOf, TrackedStates, type RecoverySnapshot } from '../recovery/recover';
import { AccountPool } from '../status/aws';
import { isPairScraper, listAccountScrapers, readRoleTags } from '../status/fetch';
import { found, missing, type LiveRole, type LiveScraper, type Read } from '../status/model';
import { pairAddresses } from '../recovery/tracked';
import type { StackGate } from './gates';
import type { UntrackedFinding, UntrackedReport } from './report';

/**
 * What recovery needs to know of a pair, read as cheaply as plan-all can afford at hundreds of pairs: the scrapers
 * from one listing per source account (filtered here by alias and cluster, as findScrapers asks AWS to), and only
 * the roles the state does not track (GetRole alone: their tags say whose they are).
 */
class CheapReads {
  private readonly listings = new Map<string, Promise<Read<LiveScraper[]>>>();
  constructor(private readonly pool: AccountPool) {}

  async of(pair: PairPlan, inState: (roleName: string) => boolean): Promise<RecoverySnapshot> {
    const clients = this.pool.for(pair.source);
    if (!this.listings.has(pair.source.name)) this.listings.set(pair.source.name, listAccountScrapers(clients));
    const listing = await this.listings.get(pair.source.name)!;
    const scrapers: Read<LiveScraper[]> = listing.state === 'found' ? found(listing.value.filter((s) => isPairScraper(s, pair))) : listing;
    const role = (account: PairPlan['source'], name: string): Promise<Read<LiveRole>> =>
      inState(name) ? Promise.resolve(missing('tracked in state: not read')) : readRoleTags(this.pool.for(account), name);
    const [sourceRole, targetRole] = await Promise.all([role(pair.source, pair.sourceRoleName), role(pair.target, pair.targetRoleName)]);
    return { scrapers, sourceRole, targetRole };
  }
}

/**
 * `concurrency` pairs at a time. A pair is read once its unit's phase-1 stack is initialized (`gate`); a pair whose
 * stack is not planned, never initialized or whose plan failed is skipped, as its state was not read as Terraform
 * reads it. A state pull that fails while the plan runs is tried again once the plan succeeded (the plan may have
 * run init again). Any other failed read makes the whole check "not checked", with the first failure as the note.
 */
export async function untrackedReport(
  outdir: string,
  env: NodeJS.ProcessEnv,
  gate: StackGate,
  concurrency: number,
  load: () => FleetPlan = () => loadFleetConfig(),
  pool: AccountPool = new AccountPool(),
): Promise<UntrackedReport> {
  let fleet: FleetPlan;
  try {
    fleet = load();
  } catch (e) {
    return { checked: false, note: `the config could not be loaded (${(e as Error).message.split('\n')[0]})`, findings: [] };
  }
  const states = new TrackedStates({ outdir, env });
  const pairs = fleet.pairs;
  const findings: UntrackedFinding[] = [];
  const reads = new CheapReads(pool);
  let failure: string | undefined;
  let next = 0;
  const trackedOnceReadable = async (stack: string) => {
    try {
      return await states.tracked(stack);
    } catch {
      if (!(await gate.planned(stack))) return undefined;
      states.forget(stack);
      return states.tracked(stack);
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, pairs.length) }, async () => {
        while (next < pairs.length && failure === undefined) {
          const pair = pairs[next++];
          const stack = unitStackNames(pair.source.unit).scraperStackName;
          try {
            if (!(await gate.initialized(stack))) continue;
            const tracked = await trackedOnceReadable(stack);
            if (!tracked) continue;
            const stackJson = states.stackJson(stack);
            const roleAddresses = pairAddresses(stackJson, pair.name).roles;
            const inState = new Set(tracked.map((t) => t.address));
            const snapshot = pair.adopt
              ? { scrapers: found([]), sourceRole: missing<LiveRole>('adopted'), targetRole: missing<LiveRole>('adopted') } // the config imports them
              : await reads.of(pair, (name) => inState.has(roleAddresses.get(name) ?? ''));
            const recovery = recoveryOf(pair, stack, snapshot, tracked, stackJson);
            if (needsRecovery(recovery) && (await gate.planned(stack))) findings.push({ pair: pair.name, stack, lines: recoveryAdvice(recovery) });
          } catch (e) {
            // A stack whose plan failed is skipped, whatever its reads said.
            if (await gate.planned(stack)) failure ??= `pair ${pair.name}: ${(e as Error).message.split('\n').slice(0, 6).join(' ')}`;
          }
        }
      }),
    );
  } finally {
    pool.destroy();
  }
  if (failure !== undefined) return { checked: false, note: failure, findings: [] };
  return { checked: true, findings: findings.sort((a, b) => a.pair.localeCompare(b.pair)) };
}
