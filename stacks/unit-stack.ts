import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { AccountRef, FleetPlan, UnitPlan } from '../lib/config/fleet';
import { claimStateForFleet, configureBackend, type StackOutputs } from '../lib/backend';
import { unitProviders, type AccountProviders } from '../lib/providers';

export interface UnitStackProps {
  readonly fleet: FleetPlan;
  readonly unit: UnitPlan;
}

/**
 * What both stacks of a unit start with: the state backend, a provider per account, and the scope every pair's
 * constructs live in. That scope has the id `Default`, which cdktf leaves out of Terraform addresses: pair
 * resources keep the addresses they had at the stack root, while a pair name can never collide with one of the
 * stack's own construct IDs (`scraper-state`, `to-<account>`, outputs), whatever the user calls it.
 */
export abstract class UnitStack extends TerraformStack {
  readonly providers: AccountProviders;
  protected readonly pairScope: Construct;
  /** This stack's outputs as its state held them before this run; undefined where they cannot be read at plan time. */
  protected readonly ownOutputs?: StackOutputs;

  protected constructor(scope: Construct, stackName: string, props: UnitStackProps) {
    super(scope, stackName);
    configureBackend(this, props.fleet.backend, stackName);
    this.providers = unitProviders(this, props.fleet);
    this.ownOutputs = claimStateForFleet(this, props.fleet.backend, stackName, props.fleet.fleet);
    this.pairScope = new Construct(this, 'Default');
  }

  protected provider(account: AccountRef): AwsProvider {
    return this.providers.of(account);
  }
}
