/**
 * Deployment units of a fleet plan: which stacks hold which pairs, and moves of accounts between units.
 */
import { unitStackNames, type AccountRef, type PairPlan, type UnitPlan, type WorkspacePlan } from './plan';

type Problems = string[];

/**
 * A move relabels an account and names the unit it left; the old unit forgets its pairs after the new one has
 * imported them (fleet-app.ts orders the two), so the move itself must be well-founded: no unit both gives to
 * and takes from another (a cycle has no order), and no adoption in flight (both would import the same address).
 */
export function moveRules(accounts: Map<string, AccountRef>, pairs: PairPlan[]): Problems {
  const problems: Problems = [];
  const edges = new Map<string, Set<string>>();
  for (const [name, a] of accounts) {
    if (a.movedFrom === undefined) continue;
    if (a.movedFrom === a.unit) {
      problems.push(
        `accounts.${name}.movedFrom: the account is in unit ${a.unit} already; movedFrom names the unit it left (or remove it once the move is deployed)`,
      );
      continue;
    }
    edges.set(a.movedFrom, (edges.get(a.movedFrom) ?? new Set()).add(a.unit));
  }
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
    [...(edges.get(from) ?? [])].some((next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen))));
  for (const [name, a] of accounts) {
    if (a.movedFrom !== undefined && a.movedFrom !== a.unit && reaches(a.unit, a.movedFrom))
      problems.push(
        `accounts.${name}.movedFrom: unit ${a.unit} also moves accounts (directly or through other units) to unit ${a.movedFrom}; moves in both directions cannot be ordered, deploy one direction first`,
      );
  }
  for (const pair of pairs) {
    if (pair.adopt && pair.source.movedFrom !== undefined)
      problems.push(
        `accounts.${pair.source.name}.movedFrom: pair ${pair.name} is still being adopted (adopt is set); deploy the adoption and remove adopt before moving the account`,
      );
  }
  return problems;
}

/**
 * Units, in the order the config first names them: the unit of every account that owns a cluster or owns nothing
 * at all (an account whose clusters and pairs were removed keeps its unit, so the unit's state destroys them and
 * is not orphaned; accounts that only own workspaces are targets and make no unit), and every unit an account
 * moved out of, which must still run once to forget what moved.
 */
export function planUnits(accounts: AccountRef[], pairs: PairPlan[], clusterOwners: AccountRef[], workspaces: WorkspacePlan[]): UnitPlan[] {
  const ownsCluster = new Set(clusterOwners.map((a) => a.name));
  const ownsWorkspace = new Set(workspaces.map((w) => w.account.name));
  const names = new Set<string>();
  for (const a of accounts) {
    if (ownsCluster.has(a.name) || !ownsWorkspace.has(a.name)) names.add(a.unit);
    if (a.movedFrom !== undefined) names.add(a.movedFrom);
  }
  return [...names].map((name) => {
    const moved = pairs.filter((p) => p.source.movedFrom === name && p.source.unit !== name);
    const inUnit = pairs.filter((p) => p.source.unit === name);
    return {
      name,
      ...unitStackNames(name),
      pairs: inUnit,
      movedOut: moved,
      movedInFrom: [...new Set(inUnit.flatMap((p) => (p.source.movedFrom !== undefined && p.source.movedFrom !== name ? [p.source.movedFrom] : [])))],
    };
  });
}
