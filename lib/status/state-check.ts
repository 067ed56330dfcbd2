/**
 * The status check that compares AWS with the unit's phase-1 state (lib/recovery): after an interrupted deploy a
 * scraper or role can exist that no state tracks, and every later plan says "No changes" while it runs on.
 */
import { needsRecovery, recoveryAdvice, type PairRecovery } from '../recovery/plan';
import type { CheckResult, PairSnapshot } from './model';

/** The recovery of the pair, or why it was not computed (no synthesized stack: unknown; Terraform failed: error). */
export type RecoveryRead = { readonly state: 'found'; readonly value: PairRecovery } | { readonly state: 'unknown' | 'error'; readonly detail: string };

export function stateCheck(snapshot: PairSnapshot & { readonly recovery?: RecoveryRead }): CheckResult[] {
  const r = snapshot.recovery;
  if (!r) return [];
  if (r.state !== 'found') return [{ check: 'state', state: r.state, summary: r.detail, details: [] }];
  const { value } = r;
  if (needsRecovery(value))
    return [{ check: 'state', state: 'problem', summary: `AWS has what the state of ${value.stack} does not track`, details: recoveryAdvice(value) }];
  return [
    {
      check: 'state',
      state: 'ok',
      summary: value.trackedScraper
        ? `${value.stack} tracks scraper ${value.trackedScraper} and nothing of the pair is untracked`
        : `nothing of the pair is in AWS untracked by ${value.stack}`,
      details: [],
    },
  ];
}
