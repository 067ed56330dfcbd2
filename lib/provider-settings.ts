/**
 * How an account is reached: the settings of its `aws` provider, rendered once from the config and used by both
 * phases (the stacks' aliased providers, lib/providers.ts, and phase 2's finalizer module, lib/trust/module.ts).
 * One renderer is the point: phase 2 acts as the same identity as phase 1 because the same provider code
 * resolves the same settings, whatever the credential mode (profile, assumed role, shared config files, web
 * identity, HCP Terraform dynamic credentials).
 */
import type { AccountRef } from './config/fleet';
import { DEFAULT_SESSION_NAME } from './config/schema';
import { hclString, literal, optionalLiteral } from './terraform-expr';

/** The variable HCP Terraform fills with the dynamic credentials' shared config files (HashiCorp's name, not ours). */
export const HCP_DYNAMIC_CREDENTIALS_VARIABLE = 'tfc_aws_dynamic_credentials';

/** The HCL expression (no `${}`) of the shared config file HCP Terraform writes for `tag`. */
export function hcpSharedConfigFileExpression(tag: string): string {
  return `var.${HCP_DYNAMIC_CREDENTIALS_VARIABLE}.aliases[${hclString(tag)}].shared_config_file`;
}

/** Provider settings as Terraform JSON takes them (snake_case); every string is ready for Terraform (escaped or an expression). */
export interface ProviderSettingsJson {
  readonly region: string;
  readonly allowed_account_ids: string[];
  readonly profile?: string;
  readonly shared_config_files?: string[];
  readonly assume_role?: Array<{ role_arn: string; external_id?: string; session_name: string }>;
}

/**
 * The shared config files of an account, each as a Terraform string: HCP Terraform's file for the account's tag
 * first (an expression, known only in the run), then the configured paths (literals). Undefined when none.
 */
export function sharedConfigFiles(account: AccountRef): string[] | undefined {
  const { hcpDynamicCredentialsTag: tag, sharedConfigFiles: files = [] } = account.credentials;
  const all = [...(tag === undefined ? [] : [`\${${hcpSharedConfigFileExpression(tag)}}`]), ...files.map(literal)];
  return all.length ? all : undefined;
}

/** Whether the account's provider reads HCP Terraform's dynamic credentials (the stack then declares the variable). */
export const usesHcpDynamicCredentials = (account: AccountRef) => account.credentials.hcpDynamicCredentialsTag !== undefined;

/**
 * The identity settings of an account's provider. `allowed_account_ids` pins it to the configured account, so a
 * wrong profile or role fails at plan time instead of acting in the wrong account.
 */
export function providerSettings(account: AccountRef): ProviderSettingsJson {
  const { profile, assumeRoleArn, externalId, sessionName } = account.credentials;
  const files = sharedConfigFiles(account);
  return {
    region: account.region,
    allowed_account_ids: [account.id],
    ...(profile === undefined ? {} : { profile: literal(profile) }),
    ...(files ? { shared_config_files: files } : {}),
    ...(assumeRoleArn === undefined
      ? {}
      : {
          assume_role: [
            {
              role_arn: assumeRoleArn,
              ...(externalId === undefined ? {} : { external_id: optionalLiteral(externalId)! }),
              session_name: literal(sessionName ?? DEFAULT_SESSION_NAME),
            },
          ],
        }),
  };
}
