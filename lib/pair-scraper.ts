/**
 * Phase 1 of one pair, inside its unit's stack: the Source and Target roles with the bootstrap trust, their
 * least-privilege permissions, and the scraper. Construct IDs derive from the pair name only: they are
 * Terraform addresses, and a changed address replaces the scraper.
 */
import { Construct } from 'constructs';
import { Fn, type ITerraformDependable } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { PrometheusScraper } from '@cdktf/provider-aws/lib/prometheus-scraper';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { sourceSide, type PairPlan } from './config/fleet';
import type { BootstrapTrust } from './config/schema';
import {
  SOURCE_PERMISSIONS_POLICY_NAME,
  TARGET_PERMISSIONS_POLICY_NAME,
  renderPolicy,
  sourcePermissionsPolicy,
  sourceTrustPolicy,
  targetPermissionsPolicy,
  targetTrustPolicy,
} from './iam-documents';
import { awsAuthMapRole, ROLE_PATH_PATTERN } from './eks-access';
import { literal } from './terraform-expr';
import { literalTags } from './providers';
import { adoptPair } from './adoption';
import type { MovableResource } from './pair/move';

/** Scraper creation and deletion are slow in AWS (about 20 minutes; the provider waits 8 before polling a delete). */
export const SCRAPER_TIMEOUTS = { create: '45m', update: '45m', delete: '45m' };

export interface PairScraperProps {
  readonly pair: PairPlan;
  readonly source: AwsProvider;
  readonly target: AwsProvider;
  /** The workspace ARN: a literal for existing workspaces, a remote-state reference for created ones. */
  readonly workspaceArn: string;
  readonly bootstrapTrust: BootstrapTrust;
  /** What must hold before anything of the pair is created (the stack's preflight gate). */
  readonly after?: ITerraformDependable[];
}

export class PairScraper extends Construct {
  readonly sourceRole: IamRole;
  readonly targetRole: IamRole;
  readonly scraper: PrometheusScraper;
  /** Everything the pair's phase 1 holds, with import IDs: what a move between units imports and forgets. */
  readonly movable: readonly MovableResource[];
  /** The aws-auth `mapRoles` entry, for clusters in CONFIG_MAP mode. */
  readonly awsAuthMapRole?: string;

  constructor(scope: Construct, props: PairScraperProps) {
    const { pair, source, target, bootstrapTrust } = props;
    super(scope, pair.name);
    const side = sourceSide(pair);
    const tags = literalTags({ ...pair.tags, 'amp-xa:pair': pair.name });

    // Phase 2 owns the final trust text; without ignore_changes every phase-1 run would revert it.
    const trustLifecycle = { ignoreChanges: ['assume_role_policy'] };
    this.sourceRole = new IamRole(this, 'source-role', {
      provider: source,
      name: pair.sourceRoleName,
      description: `amp-xa ${pair.name}: assumed by the AMP scraper of ${pair.cluster.name}`,
      assumeRolePolicy: renderPolicy(sourceTrustPolicy(side, undefined, bootstrapTrust)),
      lifecycle: trustLifecycle,
      tags,
      dependsOn: props.after,
    });
    this.targetRole = new IamRole(this, 'target-role', {
      provider: target,
      name: pair.targetRoleName,
      description: `amp-xa ${pair.name}: remote-writes ${pair.cluster.name} metrics to workspace ${pair.workspace.name}`,
      // A reference, not the computed ARN: IAM resolves the principal to Source's unique ID, so Source must exist first.
      assumeRolePolicy: renderPolicy(targetTrustPolicy(side, this.sourceRole.arn, undefined, bootstrapTrust)),
      lifecycle: trustLifecycle,
      tags,
      dependsOn: props.after,
    });
    const sourcePermissions = new IamRolePolicy(this, 'source-assume-target', {
      provider: source,
      role: this.sourceRole.name,
      name: SOURCE_PERMISSIONS_POLICY_NAME,
      policy: renderPolicy(sourcePermissionsPolicy(this.targetRole.arn)),
    });
    const targetPermissions = new IamRolePolicy(this, 'target-remote-write', {
      provider: target,
      role: this.targetRole.name,
      name: TARGET_PERMISSIONS_POLICY_NAME,
      policy: renderPolicy(targetPermissionsPolicy(props.workspaceArn)),
    });

    this.scraper = new PrometheusScraper(this, 'scraper', {
      provider: source,
      alias: literal(pair.alias),
      source: [{ eks: [{ clusterArn: pair.cluster.arn, subnetIds: pair.cluster.subnetIds, securityGroupIds: pair.cluster.securityGroupIds }] }],
      destination: [{ amp: [{ workspaceArn: props.workspaceArn }] }],
      roleConfiguration: [{ sourceRoleArn: this.sourceRole.arn, targetRoleArn: this.targetRole.arn }],
      // User text: `${1}` in a relabel rule must reach AMP as written, not as a Terraform template.
      scrapeConfiguration: literal(pair.scrapeConfiguration),
      tags,
      timeouts: SCRAPER_TIMEOUTS,
      // The scraper starts writing as soon as it is ACTIVE: its permissions must already be in place.
      dependsOn: [sourcePermissions, targetPermissions],
    });
    this.movable = [
      { resource: this.sourceRole, importId: pair.sourceRoleName },
      { resource: this.targetRole, importId: pair.targetRoleName },
      { resource: sourcePermissions, importId: `${pair.sourceRoleName}:${SOURCE_PERMISSIONS_POLICY_NAME}` },
      { resource: targetPermissions, importId: `${pair.targetRoleName}:${TARGET_PERMISSIONS_POLICY_NAME}` },
      { resource: this.scraper },
    ];
    adoptPair(this, pair, this.scraper, {
      source: { role: this.sourceRole, roleName: pair.sourceRoleName, provider: source, permissions: sourcePermissions },
      target: { role: this.targetRole, roleName: pair.targetRoleName, provider: target, permissions: targetPermissions },
    });
    if (pair.cluster.authenticationMode === 'CONFIG_MAP') {
      // The cluster does not take EKS access entries: hand over what to apply to it instead.
      this.awsAuthMapRole = awsAuthMapRole(Fn.replace(this.scraper.roleArn, ROLE_PATH_PATTERN, ':role/'));
    }
  }
}
