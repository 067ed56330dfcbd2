/**
 * Pins trust policies to the real scraper ARNs, and proves it. Per role (`RoleTrust`, in its pair's scope):
 * - `document`: the final trust document (a local: it holds the scraper ARN from phase 1);
 * - `live`: the role as IAM has it now, read at plan time;
 * - `verified`: the role read back after its batch ran, with a postcondition that fails the apply when the live
 *   trust is not the final document. Read only when the batch has a role out of sync: a batch in sync plans no run,
 *   and a read-back at plan time would read again what `live` has just read (at 200 pairs, 400 IAM reads per plan).
 * Per batch (`TrustBatch`: one account, one role kind, at most MAX_ROLES_PER_BATCH roles), one finalizer
 * (terraform_data or null_resource) whose local-exec applies lib/trust/module.ts with Terraform alone
 * (lib/trust/finalize.sh): one provider start per batch, not per role. It re-runs when a role, scraper ARN or
 * document of the batch changes, and when a live policy drifted: the drift trigger is unknown at plan time
 * (which forces a replacement) and resolves to "in-sync" at apply, so the run after a repair plans no change.
 * A role whose scraper ARN is not known yet (phase 1 not applied) is left out; a batch with none has count 0.
 */
import { Construct } from 'constructs';
import { DataResource, TerraformLocal, type ITerraformDependable, type TerraformResource } from 'cdktf';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { AccountRef } from '../config/fleet';
import type { FinalizerConfig } from '../config/schema';
import type { PolicyDocument } from '../iam-documents';
import { providerSettings } from '../provider-settings';
import { address, condition, countWhen, interpolation, literal } from '../terraform-expr';
import { FINALIZE_COMMAND, finalizeEnvironment } from './command';
import { trustModule } from './module';

/**
 * Roles per finalizer run. Each run starts one provider whatever its size; the bound keeps each environment
 * value (module, documents) far below Linux's 128 KiB limit per environment string (about 1 KiB per role).
 */
export const MAX_ROLES_PER_BATCH = 50;

export type RoleKind = 'source' | 'target';

export interface RoleTrustProps {
  readonly provider: AwsProvider;
  readonly account: AccountRef;
  readonly roleName: string;
  /** Final trust document; holds the scraper ARN as a Terraform reference. */
  readonly policy: PolicyDocument;
  /** HCL expression (without `${}`) that is true once the scraper ARN is known. */
  readonly enabledExpression: string;
}

export class RoleTrust extends Construct {
  readonly live: DataAwsIamRole;
  verified?: DataAwsIamRole;
  /** HCL: the final document as JSON. */
  readonly documentJson: string;
  /** HCL: true when the live trust is the final document (or the role is not finalized yet). */
  readonly inSync: string;

  constructor(
    scope: Construct,
    id: string,
    readonly props: RoleTrustProps,
  ) {
    super(scope, id);
    // A local keeps the document as data; comparing through jsonencode/jsondecode normalizes its types.
    const document = new TerraformLocal(this, 'document', props.policy);
    this.documentJson = `jsonencode(local.${document.friendlyUniqueId})`;
    this.live = new DataAwsIamRole(this, 'live', { provider: props.provider, name: literal(props.roleName), count: countWhen(props.enabledExpression) });
    this.inSync = `alltrue([for p in ${address(this.live, 'data')}[*].assume_role_policy : jsondecode(p) == jsondecode(${this.documentJson})])`;
  }

  /**
   * The read-back, after the batch that finalizes this role, whenever the batch has work (`batchInSync` false): it
   * then depends on a finalizer with changes pending, so Terraform reads it during the apply, after the run.
   */
  verifyAfter(finalizer: TerraformResource, batchInSync: string): void {
    const { provider, roleName, account, enabledExpression } = this.props;
    this.verified = new DataAwsIamRole(this, 'verified', {
      provider,
      name: literal(roleName),
      count: countWhen(`${enabledExpression} && !${batchInSync}`),
      dependsOn: [finalizer],
      lifecycle: {
        postcondition: [
          {
            condition: condition(`jsondecode(self.assume_role_policy) == jsondecode(${this.documentJson})`),
            errorMessage: literal(
              `amp-xa: the trust policy of role ${roleName} (account ${account.id}) is not the final document pinned to the scraper ARN. Someone changed it, or finalization failed: run cdktf deploy again to repair it.`,
            ),
          },
        ],
      },
    });
  }
}

export interface TrustBatchProps {
  readonly provider: AwsProvider;
  readonly account: AccountRef;
  readonly roles: readonly RoleTrust[];
  readonly finalizer: FinalizerConfig;
  readonly dependsOn?: ITerraformDependable[];
}

export class TrustBatch extends Construct {
  readonly finalizer: TerraformResource;

  constructor(scope: Construct, id: string, props: TrustBatchProps) {
    super(scope, id);
    const { provider, account, roles } = props;
    const candidates = new TerraformLocal(
      this,
      'roles',
      Object.fromEntries(
        roles.map((r) => [literal(r.props.roleName), { enabled: interpolation(r.props.enabledExpression), policy: interpolation(r.documentJson) }]),
      ),
    );
    // Role name -> document, for the roles whose scraper ARN is known.
    const policies = new TerraformLocal(this, 'policies', interpolation(`{ for k, r in local.${candidates.friendlyUniqueId} : k => r.policy if r.enabled }`));
    const policiesRef = `local.${policies.friendlyUniqueId}`;
    const settings = providerSettings(account);
    const vars = new TerraformLocal(this, 'vars', {
      policies: interpolation(policiesRef),
      ...(settings.shared_config_files ? { shared_config_files: settings.shared_config_files } : {}),
    });
    // The provider the stack requires (cdktf's bindings pin it), so the module takes the one the stack installed.
    const providerVersion = provider.terraformGeneratorMetadata?.providerVersion;
    if (!providerVersion) throw new Error(`amp-xa: the AWS provider bindings name no provider version; the trust module of ${account.name} cannot be pinned`);
    const module = trustModule({ settings, providerSource: provider.terraformProviderSource ?? 'hashicorp/aws', providerVersion });
    // One local, so the trigger and each read-back's count do not repeat every role's comparison.
    const inSyncLocal = new TerraformLocal(this, 'in_sync', interpolation(`alltrue([${roles.map((r) => r.inSync).join(', ')}])`));
    const inSync = `local.${inSyncLocal.friendlyUniqueId}`;
    const triggers = {
      policies_sha256: interpolation(`sha256(jsonencode(${policiesRef}))`),
      // Unknown during plan when drifted (forces a re-run), "in-sync" once applied: see the file comment.
      live_policy: interpolation(`${inSync} ? "in-sync" : (timestamp() != "" ? "in-sync" : "")`),
    };
    const provisioners = [
      {
        type: 'local-exec' as const,
        command: FINALIZE_COMMAND,
        interpreter: ['/bin/sh', '-c'],
        environment: finalizeEnvironment({
          account,
          module,
          vars: interpolation(`jsonencode(local.${vars.friendlyUniqueId})`),
          roles: interpolation(`join(" ", keys(${policiesRef}))`),
        }),
      },
    ];
    const common = {
      count: countWhen(`length(${policiesRef}) > 0`),
      provisioners,
      dependsOn: [...roles.map((r) => r.live), ...(props.dependsOn ?? [])],
    };
    this.finalizer =
      props.finalizer.resource === 'terraform_data'
        ? new DataResource(this, 'finalizer', { ...common, triggersReplace: triggers })
        : new NullResource(this, 'finalizer', { ...common, triggers });
    for (const role of roles) role.verifyAfter(this.finalizer, inSync);
  }
}

/** Roles grouped for finalization: by account, in order, chunked by MAX_ROLES_PER_BATCH. Pure, for tests too. */
export function batchRoles<T extends { account: AccountRef; roleName: string }>(
  roles: readonly T[],
): Array<{ account: AccountRef; index: number; roles: T[] }> {
  const byAccount = new Map<string, T[]>();
  for (const role of roles) byAccount.set(role.account.name, [...(byAccount.get(role.account.name) ?? []), role]);
  const batches: Array<{ account: AccountRef; index: number; roles: T[] }> = [];
  for (const group of byAccount.values()) {
    // By role name: a batch's membership does not depend on the order pairs are listed in.
    const sorted = [...group].sort((a, b) => (a.roleName < b.roleName ? -1 : a.roleName > b.roleName ? 1 : 0));
    for (let i = 0; i * MAX_ROLES_PER_BATCH < sorted.length; i++) {
      batches.push({ account: group[0].account, index: i, roles: sorted.slice(i * MAX_ROLES_PER_BATCH, (i + 1) * MAX_ROLES_PER_BATCH) });
    }
  }
  return batches;
}
