/**
 * The Terraform root module phase 2's finalizer applies (pure: data in, Terraform JSON out). One per trust stack,
 * account and role kind; it travels with the stack (in the finalizer's environment) and runs in a scratch
 * directory with the stack's installed providers, so a run needs nothing beyond Terraform and hashicorp/aws.
 *
 * - its `aws` provider has the account's settings from lib/provider-settings.ts, the renderer the stack's own
 *   provider uses: the same identity in every credential mode;
 * - `import` brings in each role it is given (by name; a role that does not exist fails the plan, nothing is
 *   created), and `aws_iam_role` manages only `assume_role_policy`: every other argument is in ignore_changes;
 * - `name` and `path` are what phase 1 deployed, so a role that differs there plans a replacement, which the
 *   finalizer's plan check (lib/trust/plan-check.ts) refuses before anything is applied.
 * The roles and documents arrive in variables (they hold phase-1 outputs, known only in the run): `policies`,
 * role name -> trust document (JSON), and `shared_config_files` when the provider reads any.
 */
import type { ProviderSettingsJson } from '../provider-settings';

/** The resource's address in the module: the plan check and messages name roles by their key in it. */
export const TRUST_RESOURCE = { type: 'aws_iam_role', name: 'role' } as const;

/** Phase 1 creates roles at IAM's default path. */
export const ROLE_PATH = '/';

/**
 * Every argument of hashicorp/aws 5.x `aws_iam_role` but name, path and assume_role_policy: the module owns the
 * trust only. `managed_policy_arns` and `inline_policy` are deprecated (the provider warns once per plan).
 */
export const IGNORED_ROLE_ARGUMENTS = [
  'description',
  'force_detach_policies',
  'inline_policy',
  'managed_policy_arns',
  'max_session_duration',
  'name_prefix',
  'permissions_boundary',
  'tags',
  'tags_all',
] as const;

export interface TrustModuleInput {
  /** The stack provider's settings for the account (provider-settings.ts), shared config files included. */
  readonly settings: ProviderSettingsJson;
  /** The stack's `required_providers.aws` constraint, so the module takes the provider the stack installed. */
  readonly providerSource: string;
  readonly providerVersion: string;
}

export function trustModule(input: TrustModuleInput): Record<string, unknown> {
  const { shared_config_files: files, ...settings } = input.settings;
  const address = `${TRUST_RESOURCE.type}.${TRUST_RESOURCE.name}`;
  return {
    terraform: { required_providers: { aws: { source: input.providerSource, version: input.providerVersion } } },
    variable: {
      policies: { type: 'map(string)', description: 'Role name -> final trust policy (JSON)' },
      ...(files ? { shared_config_files: { type: 'list(string)', description: "The stack provider's shared_config_files, as the run resolved them" } } : {}),
    },
    provider: { aws: [{ ...settings, ...(files ? { shared_config_files: '${var.shared_config_files}' } : {}) }] },
    import: [{ for_each: '${var.policies}', to: `${address}[each.key]`, id: '${each.key}' }],
    resource: {
      [TRUST_RESOURCE.type]: {
        [TRUST_RESOURCE.name]: {
          for_each: '${var.policies}',
          name: '${each.key}',
          path: ROLE_PATH,
          assume_role_policy: '${each.value}',
          lifecycle: { ignore_changes: [...IGNORED_ROLE_ARGUMENTS] },
        },
      },
    },
  };
}
