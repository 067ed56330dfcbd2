/**
 * Aliased AWS providers. `allowedAccountIds` pins each provider to its configured account, so a wrong
 * profile or role fails at plan time instead of creating roles in the wrong account.
 */
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { AccountRef, FleetPlan, UnitPlan } from './config/fleet';
import { literal, optionalLiteral } from './terraform-expr';

export interface ProviderOptions {
  readonly tags: Record<string, string>;
  /** Tag keys AWS adds by itself, e.g. AMPAgentlessScraper on a scraper's destination workspace. */
  readonly ignoreTagKeys?: string[];
}

/** Escaped for Terraform: tag keys and values are user text. */
export function literalTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [literal(k), literal(v)]));
}

export function accountProvider(scope: Construct, alias: string, account: AccountRef, options: ProviderOptions): AwsProvider {
  const { profile, assumeRoleArn, externalId, sessionName } = account.credentials;
  return new AwsProvider(scope, alias, {
    alias,
    region: account.region,
    allowedAccountIds: [account.id],
    profile: optionalLiteral(profile),
    assumeRole: assumeRoleArn ? [{ roleArn: assumeRoleArn, externalId: optionalLiteral(externalId), sessionName: literal(sessionName ?? 'amp-xa') }] : undefined,
    defaultTags: Object.keys(options.tags).length ? [{ tags: literalTags(options.tags) }] : undefined,
    ignoreTags: options.ignoreTagKeys ? [{ keys: options.ignoreTagKeys }] : undefined,
  });
}

/** Tags every amp-xa resource carries: config-wide tags, then provenance. */
export function baseTags(fleetTags: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return { ...fleetTags, 'managed-by': 'amp-xa', ...extra };
}

/** Provider alias of another account in a unit's stacks. Account names are stable IDs, like pair names. */
export const targetAlias = (account: AccountRef) => `to-${account.name}`;

export interface UnitProviders {
  readonly source: AwsProvider;
  /** By account name. */
  readonly targets: ReadonlyMap<string, AwsProvider>;
}

/**
 * A unit's stacks reach their own account as `source` and every other account as `to-<account>`. Terraform
 * configures only the providers that resources in the config or the state use, so the unused ones cost nothing,
 * and resources of a removed pair can always be destroyed through the provider they were created with.
 */
export function unitProviders(scope: Construct, fleet: FleetPlan, unit: UnitPlan): UnitProviders {
  const options = { tags: baseTags(fleet.tags) };
  return {
    source: accountProvider(scope, 'source', unit.account, options),
    targets: new Map(unit.otherAccounts.map((a) => [a.name, accountProvider(scope, targetAlias(a), a, options)])),
  };
}
