import type { Construct } from 'constructs';
import { Fn, TerraformOutput } from 'cdktf';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { PrometheusScraper } from '@cdktf/provider-aws/lib/prometheus-scraper';
import { existingRemoteWriteUrl, sourceSide } from '../lib/config/fleet';
import { stackOutputs } from '../lib/backend';
import { PairStack, type PairStackProps } from './pair-stack';
import { renderPolicy, sourcePermissionsPolicy, sourceTrustPolicy, targetPermissionsPolicy, targetTrustPolicy } from '../lib/iam-documents';
import { SCRAPER_STACK_OUTPUTS, WORKSPACE_STACK_OUTPUTS } from '../lib/outputs';
import { awsAuthMapRole, collectorRbacManifest, ROLE_PATH_PATTERN } from '../lib/eks-access';

export type ScraperStackProps = PairStackProps;

/** Scraper creation and deletion are slow in AWS (about 20 minutes; the provider waits 8 before polling a delete). */
export const SCRAPER_TIMEOUTS = { create: '45m', update: '45m', delete: '45m' };

/**
 * Phase 1 of a pair: both roles with the bootstrap (wildcard) trust, their least-privilege permissions,
 * and the scraper. The trust stack (phase 2) later pins both trusts to the scraper's real ARN.
 */
export class ScraperStack extends PairStack {
  readonly sourceRole: IamRole;
  readonly targetRole: IamRole;
  readonly scraper: PrometheusScraper;
  readonly workspaceArn: string;

  constructor(scope: Construct, props: ScraperStackProps) {
    super(scope, props.pair.scraperStackName, props);
    const { fleet, pair } = props;
    const { source, target } = this.providers;
    const side = sourceSide(pair);

    let remoteWriteUrl = existingRemoteWriteUrl(pair);
    if (pair.workspace.arn) {
      this.workspaceArn = pair.workspace.arn;
    } else {
      const created = stackOutputs(this, 'workspace-state', fleet.backend, pair.workspace.create!.stackName);
      // A well-formed placeholder keeps the plan valid until the workspace stack has been applied.
      this.workspaceArn = created.get(WORKSPACE_STACK_OUTPUTS.workspaceArn, `arn:${pair.partition}:aps:${pair.region}:${pair.target.id}:workspace/ws-pending`);
      remoteWriteUrl = created.get(WORKSPACE_STACK_OUTPUTS.remoteWriteUrl, '');
    }

    // Phase 2 owns the final trust text; without ignore_changes every phase-1 run would revert it.
    const trustLifecycle = { ignoreChanges: ['assume_role_policy'] };
    this.sourceRole = new IamRole(this, 'source-role', {
      provider: source,
      name: pair.sourceRoleName,
      description: `amp-xa ${pair.name}: assumed by the AMP scraper of ${pair.cluster.name}`,
      assumeRolePolicy: renderPolicy(sourceTrustPolicy(side)),
      lifecycle: trustLifecycle,
    });
    this.targetRole = new IamRole(this, 'target-role', {
      provider: target,
      name: pair.targetRoleName,
      description: `amp-xa ${pair.name}: remote-writes ${pair.cluster.name} metrics to workspace ${pair.workspace.name}`,
      // A reference, not the computed ARN: IAM resolves the principal to Source's unique ID, so Source must exist first.
      assumeRolePolicy: renderPolicy(targetTrustPolicy(side, this.sourceRole.arn)),
      lifecycle: trustLifecycle,
    });
    const sourcePermissions = new IamRolePolicy(this, 'source-assume-target', {
      provider: source,
      role: this.sourceRole.name,
      name: 'amp-xa-assume-target',
      policy: renderPolicy(sourcePermissionsPolicy(this.targetRole.arn)),
    });
    const targetPermissions = new IamRolePolicy(this, 'target-remote-write', {
      provider: target,
      role: this.targetRole.name,
      name: 'amp-xa-remote-write',
      policy: renderPolicy(targetPermissionsPolicy(this.workspaceArn)),
    });

    this.scraper = new PrometheusScraper(this, 'scraper', {
      provider: source,
      alias: pair.alias,
      source: [{ eks: [{ clusterArn: pair.cluster.arn, subnetIds: pair.cluster.subnetIds, securityGroupIds: pair.cluster.securityGroupIds }] }],
      destination: [{ amp: [{ workspaceArn: this.workspaceArn }] }],
      roleConfiguration: [{ sourceRoleArn: this.sourceRole.arn, targetRoleArn: this.targetRole.arn }],
      scrapeConfiguration: pair.scrapeConfiguration,
      tags: pair.tags,
      timeouts: SCRAPER_TIMEOUTS,
      // The scraper starts writing as soon as it is ACTIVE: its permissions must already be in place.
      dependsOn: [sourcePermissions, targetPermissions],
    });

    const outputs: Record<string, string> = {
      [SCRAPER_STACK_OUTPUTS.scraperArn]: this.scraper.arn,
      [SCRAPER_STACK_OUTPUTS.scraperId]: this.scraper.id,
      [SCRAPER_STACK_OUTPUTS.sourceRoleArn]: this.sourceRole.arn,
      [SCRAPER_STACK_OUTPUTS.targetRoleArn]: this.targetRole.arn,
      [SCRAPER_STACK_OUTPUTS.workspaceArn]: this.workspaceArn,
      [SCRAPER_STACK_OUTPUTS.remoteWriteUrl]: remoteWriteUrl ?? '',
    };
    if (pair.cluster.authenticationMode === 'CONFIG_MAP') {
      // The cluster does not take EKS access entries: hand over what to apply to it instead.
      outputs[SCRAPER_STACK_OUTPUTS.eksRbacManifest] = collectorRbacManifest();
      outputs[SCRAPER_STACK_OUTPUTS.eksAwsAuthMapRole] = awsAuthMapRole(Fn.replace(this.scraper.roleArn, ROLE_PATH_PATTERN, ':role/'));
    }
    for (const [name, value] of Object.entries(outputs)) new TerraformOutput(this, name, { value });
  }
}
