/**
 * Aliased AWS providers. `allowedAccountIds` pins each provider to its configured account, so a wrong
 * profile or role fails at plan time instead of creating roles in the wrong account.
 */
import type { Construct } from 'constructs';
import { TerraformStack, TerraformVariable } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { AccountRef, FleetPlan } from './config/fleet';
import { literal } from './terraform-expr';
import { HCP_DYNAMIC_CREDENTIALS_VARIABLE, providerSettings, usesHcpDynamicCredentials } from './provider-settings';

export interface ProviderOptions {
  readonly tags: Record<string, string>;
  /** Tag keys AWS adds by itself, e.g. AMPAgentlessScraper on a scraper's destination workspace. */
  readonly ignoreTagKeys?: string[];
}

/** Escaped for Terraform: tag keys and values are user text. */
export function literalTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [literal(k), literal(v)]));
}

/**
 * HCP Terraform passes dynamic credentials to a run through this variable (one shared config file per tag); a
 * stack declares it once, when one of its providers reads it. Outside HCP Terraform, set it like any variable
 * (TF_VAR_tfc_aws_dynamic_credentials) or plans fail with "No value for required variable".
 */
export function declareHcpDynamicCredentials(scope: Construct): void {
  const stack = TerraformStack.of(scope);
  if (stack.node.tryFindChild(HCP_DYNAMIC_CREDENTIALS_VARIABLE)) return;
  new TerraformVariable(stack, HCP_DYNAMIC_CREDENTIALS_VARIABLE, {
    description: "HCP Terraform's AWS dynamic provider credentials (set by HCP Terraform when TFC_AWS_PROVIDER_AUTH_<TAG> is true)",
    type: 'object({ default = object({ shared_config_file = string }), aliases = map(object({ shared_config_file = string })) })',
  });
}

export function accountProvider(scope: Construct, alias: string, account: AccountRef, options: ProviderOptions): AwsProvider {
  if (usesHcpDynamicCredentials(account)) declareHcpDynamicCredentials(scope);
  // The same settings phase 2's finalizer module gives its provider (lib/trust/module.ts).
  const s = providerSettings(account);
  return new AwsProvider(scope, alias, {
    alias,
    region: s.region,
    allowedAccountIds: s.allowed_account_ids,
    profile: s.profile,
    sharedConfigFiles: s.shared_config_files,
    assumeRole: s.assume_role?.map((r) => ({ roleArn: r.role_arn, externalId: r.external_id, sessionName: r.session_name })),
    defaultTags: Object.keys(options.tags).length ? [{ tags: literalTags(options.tags) }] : undefined,
    ignoreTags: options.ignoreTagKeys ? [{ keys: options.ignoreTagKeys }] : undefined,
  });
}

/** Tags every amp-xa resource carries: config-wide tags, then provenance. */
export function baseTags(fleetTags: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return { ...fleetTags, 'managed-by': 'amp-xa', ...extra };
}

/** Provider alias of an account in a unit's stacks. Account names are stable IDs, like pair names. */
export const accountAlias = (account: AccountRef) => `to-${account.name}`;

/** A stack's providers, one per account of the fleet, by account name. */
export class AccountProviders {
  private readonly byName = new Map<string, AwsProvider>();

  constructor(
    private readonly scope: Construct,
    private readonly options: ProviderOptions,
  ) {}

  /** The provider that reaches `account`, declared on first use. */
  of(account: AccountRef): AwsProvider {
    let provider = this.byName.get(account.name);
    if (!provider) {
      provider = accountProvider(this.scope, accountAlias(account), account, this.options);
      this.byName.set(account.name, provider);
    }
    return provider;
  }
}

/**
 * A unit's stacks reach every account of the fleet, each through `to-<account>`. Terraform configures only the
 * providers that resources in the config or the state use, so the unused ones cost nothing, and resources of a
 * removed pair can always be destroyed through the provider they were created with. The cost is one provider
 * block per account and unit: units are few (blast radii, not accounts), so synth stays linear in accounts.
 */
export function unitProviders(scope: Construct, fleet: FleetPlan): AccountProviders {
  const providers = new AccountProviders(scope, { tags: baseTags(fleet.tags) });
  for (const account of fleet.accounts) providers.of(account);
  return providers;
}
