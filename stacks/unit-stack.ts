import type { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { FleetPlan, PairPlan, UnitPlan } from '../lib/config/fleet';
import { configureBackend } from '../lib/backend';
import { unitProviders, type UnitProviders } from '../lib/providers';

export interface UnitStackProps {
  readonly fleet: FleetPlan;
  readonly unit: UnitPlan;
}

/** What both stacks of a unit start with: the state backend and a provider per account. */
export abstract class UnitStack extends TerraformStack {
  readonly providers: UnitProviders;

  protected constructor(scope: Construct, stackName: string, props: UnitStackProps) {
    super(scope, stackName);
    configureBackend(this, props.fleet.backend, stackName);
    this.providers = unitProviders(this, props.fleet, props.unit);
  }

  /** The provider of a pair's target account. */
  protected targetProvider(pair: PairPlan): AwsProvider {
    const provider = this.providers.targets.get(pair.target.name);
    if (!provider) throw new Error(`amp-xa: no provider for account ${pair.target.name} in ${this.node.id}`);
    return provider;
  }
}
