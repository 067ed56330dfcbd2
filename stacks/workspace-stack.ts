import type { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { PrometheusWorkspace } from '@cdktf/provider-aws/lib/prometheus-workspace';
import type { FleetPlan, WorkspacePlan } from '../lib/config/fleet';
import { configureBackend } from '../lib/backend';
import { accountProvider, baseTags } from '../lib/providers';
import { WORKSPACE_STACK_OUTPUTS } from '../lib/outputs';

export interface WorkspaceStackProps {
  readonly fleet: FleetPlan;
  readonly workspace: WorkspacePlan & { create: NonNullable<WorkspacePlan['create']> };
}

/** An AMP workspace amp-xa owns, in the target account; pairs read its ARN from this stack's state. */
export class WorkspaceStack extends TerraformStack {
  readonly workspace: PrometheusWorkspace;

  constructor(scope: Construct, props: WorkspaceStackProps) {
    const { fleet, workspace } = props;
    super(scope, workspace.create.stackName);
    configureBackend(this, fleet.backend, workspace.create.stackName);
    const provider = accountProvider(this, 'target', workspace.account, {
      tags: baseTags(fleet.tags, { 'amp-xa:workspace': workspace.name }),
      // Every scraper writing here tags the workspace itself; that is not drift.
      ignoreTagKeys: ['AMPAgentlessScraper'],
    });
    this.workspace = new PrometheusWorkspace(this, 'workspace', {
      provider,
      alias: workspace.create.alias,
      kmsKeyArn: workspace.create.kmsKeyArn,
      tags: workspace.create.tags,
    });
    new TerraformOutput(this, WORKSPACE_STACK_OUTPUTS.workspaceArn, { value: this.workspace.arn });
    new TerraformOutput(this, WORKSPACE_STACK_OUTPUTS.workspaceId, { value: this.workspace.id });
    new TerraformOutput(this, WORKSPACE_STACK_OUTPUTS.remoteWriteUrl, { value: `${this.workspace.prometheusEndpoint}api/v1/remote_write` });
  }
}
