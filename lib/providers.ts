/**
 * Aliased AWS providers. `allowedAccountIds` pins each provider to its configured account, so a wrong
 * profile or role fails at plan time instead of creating roles in the wrong account.
 */
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { AccountRef, FleetPlan, PairPlan } from './config/fleet';

export interface ProviderOptions {
  readonly tags: Record<string, string>;
  /** Tag keys AWS adds by itself, e.g. AMPAgentlessScraper on a scraper's destination workspace. */
  readonly ignoreTagKeys?: string[];
}

export function accountProvider(scope: Construct, alias: string, account: AccountRef, options: ProviderOptions): AwsProvider {
  const { profile, assumeRoleArn, externalId, sessionName } = account.credentials;
  return new AwsProvider(scope, alias, {
    alias,
    region: account.region,
    allowedAccountIds: [account.id],
    profile,
    assumeRole: assumeRoleArn ? [{ roleArn: assumeRoleArn, externalId, sessionName: sessionName ?? 'amp-xa' }] : undefined,
    defaultTags: Object.keys(options.tags).length ? [{ tags: options.tags }] : undefined,
    ignoreTags: options.ignoreTagKeys ? [{ keys: options.ignoreTagKeys }] : undefined,
  });
}

/** Tags every amp-xa resource carries: config-wide tags, then provenance. */
export function baseTags(fleetTags: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return { ...fleetTags, 'managed-by': 'amp-xa', ...extra };
}

/** The `source` and `target` providers every stack of a pair has, tagged with the pair. */
export function pairProviders(scope: Construct, fleet: FleetPlan, pair: PairPlan): { source: AwsProvider; target: AwsProvider } {
  const tags = baseTags(fleet.tags, { 'amp-xa:pair': pair.name });
  return {
    source: accountProvider(scope, 'source', pair.source, { tags }),
    target: accountProvider(scope, 'target', pair.target, { tags }),
  };
}
