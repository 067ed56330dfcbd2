import type { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { sourceSide } from '../lib/config/fleet';
import { stackOutputs } from '../lib/backend';
import { PairStack, type PairStackProps } from './pair-stack';
import { sourceTrustPolicy, targetTrustPolicy } from '../lib/iam-documents';
import { EXPECT_QUERY } from '../lib/finalize-command';
import { PENDING, SCRAPER_STACK_OUTPUTS } from '../lib/outputs';
import { TrustFinalizer } from '../lib/trust-finalizer';

export type TrustStackProps = PairStackProps;

/**
 * Phase 2 of a pair: reads the scraper ARN from phase 1's state and pins both trust policies to it.
 * Source first: Target's trust names Source as principal, and a scraper that cannot assume Source never
 * reaches Target either.
 */
export class TrustStack extends PairStack {
  readonly scraperArn: string;
  readonly source: TrustFinalizer;
  readonly target: TrustFinalizer;

  constructor(scope: Construct, props: TrustStackProps) {
    super(scope, props.pair.trustStackName, props);
    const { fleet, pair } = props;
    if (fleet.finalizer.resource === 'null_resource') new NullProvider(this, 'null');

    const phase1 = stackOutputs(this, 'scraper-state', fleet.backend, pair.scraperStackName);
    this.scraperArn = phase1.get(SCRAPER_STACK_OUTPUTS.scraperArn, PENDING);
    const enabledExpression = `${phase1.expression(SCRAPER_STACK_OUTPUTS.scraperArn, PENDING)} != "${PENDING}"`;
    const side = sourceSide(pair);

    this.source = new TrustFinalizer(this, 'source-trust', {
      provider: this.providers.source,
      account: pair.source,
      roleName: pair.sourceRoleName,
      policy: sourceTrustPolicy(side, this.scraperArn),
      scraperArn: this.scraperArn,
      enabledExpression,
      expectQuery: EXPECT_QUERY.source,
      finalizer: fleet.finalizer,
    });
    this.target = new TrustFinalizer(this, 'target-trust', {
      provider: this.providers.target,
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
