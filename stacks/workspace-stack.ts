import type { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { PrometheusWorkspace } from '@cdktf/provider-aws/lib/prometheus-workspace';
import type { CreatedWorkspacePlan, FleetPlan } from '../lib/config/fleet';
import { claimStateForFleet, configureBackend } from '../lib/backend';
import { accountProvider, baseTags, literalTags } from '../lib/providers';
import { WORKSPACE_STACK_OUTPUTS } from '../lib/outputs';
import { literal, optionalLiteral } from '../lib/terraform-expr';

export interface WorkspaceStackProps {
  readonly fleet: FleetPlan;
  readonly workspace: CreatedWorkspacePlan;
}

/** An AMP workspace amp-xa owns, in the target account; pairs read its ARN from this stack's state. */
export class WorkspaceStack extends TerraformStack {
  readonly workspace: PrometheusWorkspace;

  constructor(scope: Construct, props: WorkspaceStackProps) {
    const { fleet, workspace } = props;
    super(scope, workspace.stackName);
    configureBackend(this, fleet.backend, workspace.stackName);
    const provider = accountProvider(this, 'target', workspace.account, {
      tags: baseTags(fleet.tags, { 'amp-xa:workspace': workspace.name }),
      // Every scraper writing here tags the workspace itself; that is not drift.
      ignoreTagKeys: ['AMPAgentlessScraper'],
    });
    claimStateForFleet(this, fleet.backend, workspace.stackName, fleet.fleet);
    this.workspace = new PrometheusWorkspace(this, 'workspace', {
      provider,
      alias: literal(workspace.alias),
      kmsKeyArn: optionalLiteral(workspace.kmsKeyArn),
      tags: literalTags(workspace.tags),
    });
    new TerraformOutput(this, WORKSPACE_STACK_OUTPUTS.workspaceArn, { value: this.workspace.arn, description: 'ARN of the workspace' });
    new TerraformOutput(this, WORKSPACE_STACK_OUTPUTS.workspaceId, { value: this.workspace.id, description: 'ID of the workspace (ws-...)' });
    new TerraformOutput(this, WORKSPACE_STACK_OUTPUTS.remoteWriteUrl, {
      value: `${this.workspace.prometheusEndpoint}api/v1/remote_write`,
      description: 'Remote-write URL of the workspace',
    });
  }
}
