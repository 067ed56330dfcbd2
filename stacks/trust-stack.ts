import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { sourceSide, type AccountRef } from '../lib/config/fleet';
import { stackOutputs } from '../lib/backend';
import { UnitStack, type UnitStackProps } from './unit-stack';
import { sourceTrustPolicy, targetTrustPolicy } from '../lib/iam-documents';
import { PENDING, SCRAPER_STACK_OUTPUTS, TRUST_STACK_OUTPUTS } from '../lib/outputs';
import { batchRoles, RoleTrust, TrustBatch, type RoleKind } from '../lib/trust/finalizer';
import { hclString } from '../lib/terraform-expr';

export type TrustStackProps = UnitStackProps;

/** Phase 2 of one pair: both roles pinned to the scraper ARN read from phase 1. */
export interface PairTrust {
  readonly scraperArn: string;
  readonly source: RoleTrust;
  readonly target: RoleTrust;
}

/**
 * Phase 2 of a unit (by default the whole fleet): reads the scraper ARNs (a map by pair) from phase 1's state and pins both trust policies of
 * every pair to its scraper, a batch per account and role kind (lib/trust/finalizer.ts). Sources first: Target's
 * trust names Source as principal, and a scraper that cannot assume Source never reaches Target either. A pair
 * without an ARN yet (phase 1 not applied) is skipped.
 */
export class TrustStack extends UnitStack {
  readonly pairs: ReadonlyMap<string, PairTrust>;
  /** The finalizer batches, sources first. */
  readonly batches: readonly TrustBatch[];

  constructor(scope: Construct, props: TrustStackProps) {
    super(scope, props.unit.trustStackName, props);
    const { fleet, unit } = props;
    if (fleet.finalizer.resource === 'null_resource') new NullProvider(this, 'null');

    const phase1 = stackOutputs(this, 'scraper-state', fleet.backend, unit.scraperStackName);
    const pairs = new Map<string, PairTrust>();
    const pinned: Record<string, string> = {};
    const roles: Record<RoleKind, Array<{ account: AccountRef; roleName: string; trust: RoleTrust }>> = { source: [], target: [] };
    for (const pair of unit.pairs) {
      const pairScope = new Construct(this.pairScope, pair.name);
      const scraperArn = phase1.get(SCRAPER_STACK_OUTPUTS.scraperArns, PENDING, pair.name);
      const enabledExpression = `${phase1.expression(SCRAPER_STACK_OUTPUTS.scraperArns, PENDING, pair.name)} != ${hclString(PENDING)}`;
      const side = sourceSide(pair);
      const source = new RoleTrust(pairScope, 'source-trust', {
        provider: this.provider(pair.source),
        account: pair.source,
        roleName: pair.sourceRoleName,
        policy: sourceTrustPolicy(side, scraperArn),
        enabledExpression,
      });
      const target = new RoleTrust(pairScope, 'target-trust', {
        provider: this.provider(pair.target),
        account: pair.target,
        roleName: pair.targetRoleName,
        policy: targetTrustPolicy(side, pair.sourceRoleArn, scraperArn),
        enabledExpression,
      });
      roles.source.push({ account: pair.source, roleName: pair.sourceRoleName, trust: source });
      roles.target.push({ account: pair.target, roleName: pair.targetRoleName, trust: target });
      pairs.set(pair.name, { scraperArn, source, target });
      pinned[pair.name] = scraperArn;
    }
    this.pairs = pairs;

    const batches: TrustBatch[] = [];
    for (const kind of ['source', 'target'] as const) {
      const before = batches.map((b) => b.finalizer);
      for (const batch of batchRoles(roles[kind])) {
        const id = `trust-${kind}-${batch.account.name}${batch.index ? `-${batch.index + 1}` : ''}`;
        batches.push(
          new TrustBatch(this, id, {
            provider: this.provider(batch.account),
            account: batch.account,
            roles: batch.roles.map((r) => r.trust),
            finalizer: fleet.finalizer,
            dependsOn: before,
          }),
        );
      }
    }
    this.batches = batches;
    new TerraformOutput(this, TRUST_STACK_OUTPUTS.pinned, {
      value: pinned,
      description: "Scraper ARN each pair's trust policies are pinned to, by pair name (empty while phase 1 has no scraper for it)",
    });
  }
}
