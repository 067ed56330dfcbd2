/**
 * Adoption of a pair made by hand with AWS's manual procedure: its scraper and two roles are imported (Terraform
 * import blocks) instead of created, then converged in place to amp-xa's documents. What the hand-made roles carry
 * and amp-xa does not manage is handled deliberately, and shown in the plan before anything changes:
 * - managed policies (typically AmazonPrometheusRemoteWriteAccess, `aps:RemoteWrite` on `*`) are detached, and extra
 *   inline policies deleted, by the provider's exclusive-policy resources, imported too, so the plan shows the
 *   current list going to amp-xa's (`policy_arns = [...] -> []`);
 * - the scraper's alias, scrape configuration, destination and roles are updated in place (provider 5.100.0);
 *   only a different cluster, subnets or security groups would replace it, and `prevent_destroy` turns such a plan
 *   into an error unless the pair says `allowReplacement`: adoption never silently costs a new scraper.
 * None of it happens on a guess: the plan first proves (pair/adoption-proof.ts) that the named roles are the pair's
 * roles and not the deploy's own, and fails with nothing changed otherwise.
 */
import type { Construct } from 'constructs';
import type { TerraformResource } from 'cdktf';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePoliciesExclusive } from '@cdktf/provider-aws/lib/iam-role-policies-exclusive';
import { IamRolePolicyAttachmentsExclusive } from '@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive';
import type { PrometheusScraper } from '@cdktf/provider-aws/lib/prometheus-scraper';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataResource, TerraformLocal } from 'cdktf';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import type { PairPlan } from './config/fleet';
import { notDeployerProof, sourceRoleProof, targetRoleProof, type Proof } from './pair/adoption-proof';
import { address, interpolation, literal } from './terraform-expr';

export interface AdoptedRole {
  readonly role: IamRole;
  readonly roleName: string;
  readonly provider: AwsProvider;
  /** amp-xa's one inline policy on the role: the only one it keeps. */
  readonly permissions: IamRolePolicy;
}

/** Import blocks without a provider argument: Terraform then uses the resource's own (aliased) provider. */
function protect(resource: TerraformResource, adopt: NonNullable<PairPlan['adopt']>): void {
  if (!adopt.allowReplacement) resource.addOverride('lifecycle.prevent_destroy', true);
}

/** Plan-time preconditions on a terraform_data: a failed one fails the plan, before any import is applied. */
function proveAdoption(scope: Construct, pair: PairPlan, roles: { source: AdoptedRole; target: AdoptedRole }): void {
  const live = (side: 'source' | 'target') => {
    const { roleName, provider } = roles[side];
    const role = new DataAwsIamRole(scope, `${side}-adopted-role`, { provider, name: literal(roleName) });
    const caller = new DataAwsCallerIdentity(scope, `${side}-deployer`, { provider });
    const accountId = side === 'source' ? pair.source.id : pair.target.id;
    return {
      pairName: pair.name,
      accountId,
      roleName,
      roleTrust: `${address(role, 'data')}.assume_role_policy`,
      roleArn: `${address(role, 'data')}.arn`,
      callerArn: `${address(caller, 'data')}.arn`,
    };
  };
  const source = live('source');
  const target = live('target');
  const proofs: Proof[] = [sourceRoleProof(source), targetRoleProof(target, source.roleArn), notDeployerProof(source), notDeployerProof(target)];
  new DataResource(scope, 'adoption-proof', {
    // Through locals: cdktf escapes the quotes of string literals written inline in a condition, which HCL rejects.
    lifecycle: {
      precondition: proofs.map((p, i) => ({
        condition: new TerraformLocal(scope, `adoption-proof-${i}`, interpolation(p.condition)).asBoolean,
        errorMessage: p.errorMessage,
      })),
    },
  });
}

export function adoptPair(scope: Construct, pair: PairPlan, scraper: PrometheusScraper, roles: { source: AdoptedRole; target: AdoptedRole }): void {
  const adopt = pair.adopt;
  if (!adopt) return;
  proveAdoption(scope, pair, roles);
  scraper.importFrom(adopt.scraperId);
  protect(scraper, adopt);
  for (const [side, { role, roleName, provider, permissions }] of Object.entries(roles)) {
    role.importFrom(roleName);
    protect(role, adopt);
    new IamRolePolicyAttachmentsExclusive(scope, `${side}-managed-policies`, { provider, roleName: role.name, policyArns: [] }).importFrom(roleName);
    new IamRolePoliciesExclusive(scope, `${side}-inline-policies`, {
      provider,
      roleName: role.name,
      policyNames: [permissions.name],
      // Ours must exist before the exclusive list is enforced, or the provider would find it missing.
      dependsOn: [permissions],
    }).importFrom(roleName);
  }
}
