/**
 * Moving an account between units without replacing anything: the new unit imports each pair's roles, policies
 * and scraper, and the old unit forgets them (`removed` with `destroy = false`). Terraform orders nothing across
 * states, so fleet-app.ts makes the old unit's phase 1 depend on the new one's: the old state still holds the
 * scraper IDs while the new unit imports, and is emptied only after that.
 *
 * Both kinds of block are safe to leave in the config after the move: an import whose target is already in state
 * is skipped, and a `removed` block for an address the state no longer has changes nothing. Each import is
 * gated (for_each) on the old state still holding the pair, so a pair new to the moved account is simply created.
 */
import { Construct } from 'constructs';
import { TerraformElement, type TerraformResource } from 'cdktf';
import type { PairPlan } from '../config/fleet';
import type { StackOutputs } from '../backend';
import { PENDING, SCRAPER_STACK_OUTPUTS } from '../outputs';
import { hclString, interpolation, literal } from '../terraform-expr';

/** A top-level block cdktf 0.21 has no construct for (a gated `import`, a `removed`): merged into the stack's JSON. */
class TopLevelBlock extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly fragment: Record<string, unknown[]>,
  ) {
    super(scope, id);
  }

  override toTerraform(): Record<string, unknown[]> {
    return this.fragment;
  }
}

/** What a pair's phase 1 holds, with the ID `terraform import` takes for each (the scraper's comes from state). */
export interface MovableResource {
  readonly resource: TerraformResource;
  /** The import ID, or undefined for the scraper, whose ID only the old unit's state knows. */
  readonly importId?: string;
}

const addressOf = (resource: TerraformResource) => `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;

/**
 * Imports a moved pair's resources into the unit it moved to. `oldUnit` reads the phase-1 outputs of the unit the
 * account left; while they hold the pair's scraper ID, every import of the pair runs (the same for_each gates all
 * of them: a pair is imported whole or not at all).
 */
export function importMovedPair(scope: Construct, pair: PairPlan, oldUnit: StackOutputs, resources: readonly MovableResource[]): void {
  const scraperId = oldUnit.expression(SCRAPER_STACK_OUTPUTS.scraperIds, PENDING, pair.name);
  const forEach = interpolation(`{ for k, v in { ${hclString(pair.name)} = ${scraperId} } : k => v if v != ${hclString(PENDING)} }`);
  const blocks = resources.map(({ resource, importId }) => ({
    for_each: forEach,
    to: addressOf(resource),
    id: importId === undefined ? interpolation('each.value') : literal(importId),
  }));
  new TopLevelBlock(scope, 'moved-in', { import: blocks });
}

/** Forgets a moved pair's resources in the unit it left: Terraform drops them from state and leaves them in AWS. */
export function forgetMovedPair(scope: Construct, pair: PairPlan, resources: readonly MovableResource[]): void {
  const blocks = resources.map(({ resource }) => ({ from: addressOf(resource), lifecycle: { destroy: false } }));
  new TopLevelBlock(new Construct(scope, pair.name), 'moved-out', { removed: blocks });
}
