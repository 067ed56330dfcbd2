/**
 * For plan-all: per pair, what AWS has that its unit's phase-1 state does not track (a deploy killed while AMP
 * created the scraper, a deploy run again after that). Every later plan says "No changes" while such a scraper
 * runs on, so the plan alone cannot tell; this reads the pair's scrapers and roles with the config's credentials
 * (the status readers) and the state with Terraform (as recover does), after the plans initialized every stack.
 */
import { loadFleetConfig } from '../config/load';
import type { FleetPlan, PairPlan } from '../config/fleet';
import { unitStackNames } from '../config/plan';
import { needsRecovery, recoveryAdvice } from '../recovery/plan';
import { recoveryOf, TrackedStates, type RecoverySnapshot } from '../recovery/recover';
import { AccountPool } from '../status/aws';
import { findScrapers, readRole } from '../status/fetch';
import type { UntrackedFinding, UntrackedReport } from './report';

/** A pair's scrapers and roles: the reads recovery needs, nothing else (plan-all pays for each per pair). */
async function recoveryReads(pair: PairPlan, pool: AccountPool): Promise<RecoverySnapshot> {
  const [scrapers, sourceRole, targetRole] = await Promise.all([
    findScrapers(pair, pool),
    readRole(pool.for(pair.source), pair.sourceRoleName),
    readRole(pool.for(pair.target), pair.targetRoleName),
  ]);
  return { scrapers, sourceRole, targetRole };
}

/**
 * `concurrency` pairs at a time. A pair whose unit's stack is not in `stacks` (planned here) is skipped: its state
 * was not read. Any read that fails makes the whole check "not checked", with the first failure as the note.
 */
export async function untrackedReport(
  outdir: string,
  env: NodeJS.ProcessEnv,
  stacks: readonly string[],
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
  const pairs = fleet.pairs.filter((p) => stacks.includes(unitStackNames(p.source.unit).scraperStackName));
  const findings: UntrackedFinding[] = [];
  let failure: string | undefined;
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, pairs.length) }, async () => {
        while (next < pairs.length && failure === undefined) {
          const pair = pairs[next++];
          const stack = unitStackNames(pair.source.unit).scraperStackName;
          try {
            const [snapshot, tracked] = await Promise.all([recoveryReads(pair, pool), states.tracked(stack)]);
            const recovery = recoveryOf(pair, stack, snapshot, tracked, states.stackJson(stack));
            if (needsRecovery(recovery)) findings.push({ pair: pair.name, stack, lines: recoveryAdvice(recovery) });
          } catch (e) {
            failure ??= `pair ${pair.name}: ${(e as Error).message.split('\n').slice(0, 6).join(' ')}`;
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
