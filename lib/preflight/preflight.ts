/**
 * Plan-time preflight of a phase-1 stack: reads (reads.ts) what its scrapers depend on with the provider's data
 * sources, and guards it with the checks (checks.ts) as postconditions of one data source. A failed check fails
 * `terraform plan` (so `cdktf diff`, `npm run diff` and the deploy's plan) before anything is created; every
 * resource of the pairs depends on the gate, so nothing is applied ahead of a check either.
 */
import { Construct } from 'constructs';
import { TerraformLocal, type TerraformElement } from 'cdktf';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsEksCluster } from '@cdktf/provider-aws/lib/data-aws-eks-cluster';
import { DataAwsEksClusters } from '@cdktf/provider-aws/lib/data-aws-eks-clusters';
import { DataAwsPrometheusWorkspace } from '@cdktf/provider-aws/lib/data-aws-prometheus-workspace';
import { DataAwsPrometheusWorkspaces } from '@cdktf/provider-aws/lib/data-aws-prometheus-workspaces';
import { DataAwsSecurityGroups } from '@cdktf/provider-aws/lib/data-aws-security-groups';
import { DataAwsSubnet } from '@cdktf/provider-aws/lib/data-aws-subnet';
import { DataAwsSubnets } from '@cdktf/provider-aws/lib/data-aws-subnets';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { AccountRef, CreatedWorkspacePlan, PairPlan } from '../config/fleet';
import { address, hclString, interpolation, literal } from '../terraform-expr';
import { clusterChecks, workspaceChecks, type PreflightCheck } from './checks';
import { preflightReads, type SourceReads, type TargetReads } from './reads';

/** The workspace ID of a workspace ARN that the workspace stack's state does not hold yet. */
export const PENDING_WORKSPACE_ID = 'ws-pending';

export interface PreflightProps {
  readonly pairs: readonly PairPlan[];
  readonly provider: (account: AccountRef) => AwsProvider;
  /** HCL expression of the ARN of a workspace another stack creates (its state, or a `.../ws-pending` placeholder). */
  readonly createdWorkspaceArn: (workspace: CreatedWorkspacePlan) => string;
}

export class Preflight extends Construct {
  /**
   * What the pairs' resources depend on; undefined when the stack has no pair. A data source, not a resource: the
   * checks are its postconditions, so the plan of a healthy stack adds nothing and a failed one fails the read.
   * aws_partition makes no API call.
   */
  readonly gate?: DataAwsPartition;
  readonly checks: PreflightCheck[] = [];

  constructor(scope: Construct, id: string, props: PreflightProps) {
    super(scope, id);
    const reads = preflightReads(props.pairs);
    for (const source of reads.sources) this.checks.push(...this.readSource(source, props.provider(source.account)));
    for (const target of reads.targets) this.checks.push(...this.readTarget(target, props.provider(target.account), props.createdWorkspaceArn));
    if (!this.checks.length || !reads.sources.length) return;
    this.gate = new DataAwsPartition(this, 'gate', {
      provider: props.provider(reads.sources[0].account),
      // Through locals: cdktf escapes the quotes of string literals written inline in a condition, which HCL rejects.
      lifecycle: {
        postcondition: this.checks.map((check, i) => ({
          condition: this.local(`check-${i}`, check.condition).asBoolean,
          errorMessage: this.local(`message-${i}`, check.message).asString,
        })),
      },
    });
  }

  private local(id: string, expression: string): TerraformLocal {
    return new TerraformLocal(this, id, interpolation(expression));
  }

  /** `local.<name>` of a local, for use inside other expressions. */
  private localRef(id: string, expression: string): string {
    return `local.${this.local(id, expression).friendlyUniqueId}`;
  }

  private readSource(source: SourceReads, provider: AwsProvider): PreflightCheck[] {
    const prefix = `${source.account.name}`;
    const listing = new DataAwsEksClusters(this, `${prefix}-clusters`, { provider });
    const clusterNames = `${address(listing, 'data')}.names`;
    const clusters = source.clusters.map((c) => {
      const data = new DataAwsEksCluster(this, `${prefix}-cluster-${c.configName}`, { provider, name: literal(c.eksName) });
      data.addOverride('count', interpolation(`contains(${clusterNames}, ${hclString(c.eksName)}) ? 1 : 0`));
      return { read: c, data };
    });
    // Each VPC once, however many clusters share it; a cluster that does not exist adds none.
    const vpcIds = `toset(compact(concat(${clusters.map(({ data }) => `${address(data, 'data')}[*].vpc_config[0].vpc_id`).join(', ')})))`;
    const vpcs = this.forEach(new DataAwsVpc(this, `${prefix}-vpcs`, { provider, id: '${each.key}' }), this.localRef(`${prefix}-vpc-ids`, vpcIds));
    const subnetListing = new DataAwsSubnets(this, `${prefix}-subnets`, { provider, filter: [{ name: 'subnet-id', values: source.subnetIds }] });
    const existingSubnetIds = `${address(subnetListing, 'data')}.ids`;
    const subnets = this.forEach(new DataAwsSubnet(this, `${prefix}-subnet`, { provider, id: '${each.key}' }), `toset(${existingSubnetIds})`);
    const groups = source.securityGroupIds.length
      ? new DataAwsSecurityGroups(this, `${prefix}-security-groups`, { provider, filter: [{ name: 'group-id', values: source.securityGroupIds }] })
      : undefined;
    return clusters.flatMap(({ read, data }) =>
      clusterChecks(read, source.account.id, {
        clusterNames,
        cluster: address(data, 'data'),
        vpcs: address(vpcs, 'data'),
        existingSubnetIds,
        subnets: address(subnets, 'data'),
        securityGroups: groups ? address(groups, 'data') : undefined,
      }),
    );
  }

  private readTarget(target: TargetReads, provider: AwsProvider, createdArn: (workspace: CreatedWorkspacePlan) => string): PreflightCheck[] {
    const prefix = `${target.account.name}`;
    const listing = new DataAwsPrometheusWorkspaces(this, `${prefix}-workspaces`, { provider });
    const workspaceIds = `${address(listing, 'data')}.workspace_ids`;
    return target.workspaces.flatMap((w) => {
      const ws = w.workspace;
      // A created workspace's ID comes from its stack's state: through a local, whose reference has no quotes to escape.
      const workspaceId =
        ws.kind === 'existing'
          ? hclString(ws.arn.split('/').pop() ?? '')
          : this.localRef(`${prefix}-workspace-${w.name}-id`, `element(split("/", ${createdArn(ws)}), 1)`);
      const data = new DataAwsPrometheusWorkspace(this, `${prefix}-workspace-${w.name}`, {
        provider,
        workspaceId: ws.kind === 'existing' ? literal(ws.arn.split('/').pop() ?? '') : interpolation(workspaceId),
      });
      data.addOverride('count', interpolation(`contains(${workspaceIds}, ${workspaceId}) ? 1 : 0`));
      return workspaceChecks(w, target.account.id, {
        workspaceIds,
        workspaceId,
        workspace: address(data, 'data'),
        pending: ws.kind === 'created' ? `${workspaceId} == ${hclString(PENDING_WORKSPACE_ID)}` : undefined,
      });
    });
  }

  private forEach<T extends TerraformElement & { terraformResourceType: string; friendlyUniqueId: string }>(element: T, keys: string): T {
    element.addOverride('for_each', interpolation(keys));
    return element;
  }
}
