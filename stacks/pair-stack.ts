import type { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { FleetPlan, PairPlan } from '../lib/config/fleet';
import { configureBackend } from '../lib/backend';
import { pairProviders } from '../lib/providers';

export interface PairStackProps {
  readonly fleet: FleetPlan;
  readonly pair: PairPlan;
}

/** What every stack of a pair starts with: its state backend and the aliased `source`/`target` providers. */
export abstract class PairStack extends TerraformStack {
  readonly providers: { readonly source: AwsProvider; readonly target: AwsProvider };

  protected constructor(scope: Construct, stackName: string, props: PairStackProps) {
    super(scope, stackName);
    configureBackend(this, props.fleet.backend, stackName);
    this.providers = pairProviders(this, props.fleet, props.pair);
  }
}
