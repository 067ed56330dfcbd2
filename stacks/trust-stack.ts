import type { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import type { FleetPlan, PairPlan } from '../lib/config/fleet';
import { configureBackend, remoteState } from '../lib/backend';
import { accountProvider, baseTags } from '../lib/providers';
import { sourceTrustPolicy, targetTrustPolicy } from '../lib/iam-documents';
import { EXPECT_QUERY } from '../lib/finalize-command';
import { PENDING, SCRAPER_STACK_OUTPUTS } from '../lib/outputs';
import { TrustFinalizer } from '../lib/trust-finalizer';

export interface TrustStackProps {
  readonly fleet: FleetPlan;
  readonly pair: PairPlan;
}

/**
 * Phase 2 of a pair: reads the scraper ARN from phase 1's state and pins both trust policies to it.
 * Source first: Target's trust names Source as principal, and a scraper that cannot assume Source never
 * reaches Target either.
 */
export class TrustStack extends TerraformStack {
  readonly scraperArn: string;
  readonly source: TrustFinalizer;
  readonly target: TrustFinalizer;

  constructor(scope: Construct, props: TrustStackProps) {
    const { fleet, pair } = props;
    super(scope, pair.trustStackName);
    configureBackend(this, fleet.backend, pair.trustStackName);
    const tags = baseTags(fleet.tags, { 'amp-xa:pair': pair.name });
    const sourceProvider = accountProvider(this, 'source', pair.source, { tags });
    const targetProvider = accountProvider(this, 'target', pair.target, { tags });
    if (fleet.finalizer.resource === 'null_resource') new NullProvider(this, 'null');

    const phase1 = remoteState(this, 'scraper-state', fleet.backend, pair.scraperStackName, { [SCRAPER_STACK_OUTPUTS.scraperArn]: PENDING });
    this.scraperArn = phase1.getString(SCRAPER_STACK_OUTPUTS.scraperArn);
    const enabledExpression = `${phase1.fqn}.outputs.${SCRAPER_STACK_OUTPUTS.scraperArn} != "${PENDING}"`;
    const side = { partition: pair.partition, region: pair.region, sourceAccount: pair.source.id };

    this.source = new TrustFinalizer(this, 'source-trust', {
      provider: sourceProvider,
      account: pair.source,
      roleName: pair.sourceRoleName,
      policy: sourceTrustPolicy(side, this.scraperArn),
      scraperArn: this.scraperArn,
      enabledExpression,
      expectQuery: EXPECT_QUERY.source,
      finalizer: fleet.finalizer,
    });
    this.target = new TrustFinalizer(this, 'target-trust', {
      provider: targetProvider,
      account: pair.target,
      roleName: pair.targetRoleName,
      policy: targetTrustPolicy(side, pair.sourceRoleArn, this.scraperArn),
      scraperArn: this.scraperArn,
      enabledExpression,
      expectQuery: EXPECT_QUERY.target,
      finalizer: fleet.finalizer,
      dependsOn: [this.source.finalizer],
    });

    new TerraformOutput(this, 'scraper_arn', { value: this.scraperArn });
    new TerraformOutput(this, 'finalized', { value: `\${${enabledExpression}}` });
  }
}
