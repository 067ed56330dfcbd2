import { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { sourceSide } from '../lib/config/fleet';
import { stackOutputs } from '../lib/backend';
import { UnitStack, type UnitStackProps } from './unit-stack';
import { PINNED_ARN_QUERY, sourceTrustPolicy, targetTrustPolicy } from '../lib/iam-documents';
import { PENDING, SCRAPER_STACK_OUTPUTS, TRUST_STACK_OUTPUTS } from '../lib/outputs';
import { TrustFinalizer } from '../lib/trust-finalizer';
import { hclString } from '../lib/terraform-expr';

export type TrustStackProps = UnitStackProps;

/** Phase 2 of one pair: both roles pinned to the scraper ARN read from phase 1. */
export interface PairTrust {
  readonly scraperArn: string;
  readonly source: TrustFinalizer;
  readonly target: TrustFinalizer;
}

/**
 * Phase 2 of a unit (by default the whole fleet): reads the scraper ARNs (a map by pair) from phase 1's state and pins both trust policies of
 * every pair to its scraper. Source first: Target's trust names Source as principal, and a scraper that cannot
 * assume Source never reaches Target either. A pair without an ARN yet (phase 1 not applied) is skipped.
 */
export class TrustStack extends UnitStack {
  readonly pairs: ReadonlyMap<string, PairTrust>;

  constructor(scope: Construct, props: TrustStackProps) {
    super(scope, props.unit.trustStackName, props);
    const { fleet, unit } = props;
    if (fleet.finalizer.resource === 'null_resource') new NullProvider(this, 'null');

    const phase1 = stackOutputs(this, 'scraper-state', fleet.backend, unit.scraperStackName);
    const pairs = new Map<string, PairTrust>();
    const pinned: Record<string, string> = {};
    for (const pair of unit.pairs) {
      const pairScope = new Construct(this.pairScope, pair.name);
      const scraperArn = phase1.get(SCRAPER_STACK_OUTPUTS.scraperArns, PENDING, pair.name);
      const enabledExpression = `${phase1.expression(SCRAPER_STACK_OUTPUTS.scraperArns, PENDING, pair.name)} != ${hclString(PENDING)}`;
      const side = sourceSide(pair);
      const source = new TrustFinalizer(pairScope, 'source-trust', {
        provider: this.provider(pair.source),
        account: pair.source,
        roleName: pair.sourceRoleName,
        policy: sourceTrustPolicy(side, scraperArn),
        scraperArn,
        enabledExpression,
        expectQuery: PINNED_ARN_QUERY.source,
        finalizer: fleet.finalizer,
      });
      const target = new TrustFinalizer(pairScope, 'target-trust', {
        provider: this.provider(pair.target),
        account: pair.target,
        roleName: pair.targetRoleName,
        policy: targetTrustPolicy(side, pair.sourceRoleArn, scraperArn),
        scraperArn,
        enabledExpression,
        expectQuery: PINNED_ARN_QUERY.target,
        finalizer: fleet.finalizer,
        dependsOn: [source.finalizer],
      });
      pairs.set(pair.name, { scraperArn, source, target });
      pinned[pair.name] = scraperArn;
    }
    this.pairs = pairs;
    new TerraformOutput(this, TRUST_STACK_OUTPUTS.pinned, {
      value: pinned,
      description: "Scraper ARN each pair's trust policies are pinned to, by pair name (empty while phase 1 has no scraper for it)",
    });
  }
}
