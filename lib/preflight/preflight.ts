/**
 * Plan-time preflight of a phase-1 stack: reads (reads.ts) what its scrapers depend on with the provider's data
 * sources, and guards it with the checks (checks.ts) as postconditions of a gate per cluster and per workspace. A
 * failed check fails `terraform plan` (so `cdktf diff`, `npm run diff` and the deploy's plan) before anything is
 * created; every resource of a pair depends on its gates, so nothing is applied ahead of a check either. A pair whose
 * state records that it was deployed with the same inputs (`verified`: reads.ts preflightFingerprints) is not read
 * or checked again: nothing of it is created or replaced, so a no-change plan reads nothing and evaluates no check
 * (npm run status checks deployed pairs live).
 */
import { Construct } from 'constructs';
import { TerraformLocal, TerraformVariable, type TerraformElement } from 'cdktf';
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
import { RECOVER_IMPORT_VARIABLE } from './recover-import';
import { clusterChecks, messageExpression, workspaceChecks, type PreflightCheck } from './checks';
import { preflightFingerprints, preflightReads, type SourceReads, type TargetReads } from './reads';

/** The workspace ID of a workspace ARN that the workspace stack's state does not hold yet. */
export const PENDING_WORKSPACE_ID = 'ws-pending';

export interface PreflightProps {
  readonly pairs: readonly PairPlan[];
  readonly provider: (account: AccountRef) => AwsProvider;
  /** HCL expression of the ARN of a workspace another stack creates (its state, or a `.../ws-pending` placeholder). */
  readonly createdWorkspaceArn: (workspace: CreatedWorkspacePlan) => string;
  /** HCL expression of the digest the stack's state recorded for a pair ("" when none); undefined: always read. */
  readonly verified?: (pair: string) => string;
}

/** The output a phase-1 state records each deployed pair's preflight digest in (pair -> digest, once its scraper exists). */
export const PREFLIGHT_VERIFIED_OUTPUT = 'amp_xa_preflight_verified';

export class Preflight extends Construct {
  readonly checks: PreflightCheck[] = [];
  /**
   * Per pair, what its resources depend on: a gate per cluster and per workspace it uses, whose postconditions are
   * that cluster's (or workspace's) checks. Data sources, not resources: the plan of a healthy stack adds nothing and
   * a failed check fails the read. aws_partition makes no API call. A skipped cluster's gate has no instance, so a
   * no-change plan evaluates none of its checks.
   */
  private readonly gates = new Map<string, DataAwsPartition[]>();
  /** Each message template once per stack (a local): the sentences are the same for every cluster and workspace. */
  private readonly templates = new Map<string, string>();
  /** Each pair's digest (reads.ts), for the stack to record once the pair is deployed. */
  readonly fingerprints: ReadonlyMap<string, string>;
  private readonly verified?: (pair: string) => string;

  constructor(scope: Construct, id: string, props: PreflightProps) {
    super(scope, id);
    const reads = preflightReads(props.pairs);
    this.fingerprints = preflightFingerprints(reads);
    this.verified = props.verified;
    const importing = new TerraformVariable(this, 'recover-import', {
      type: 'bool',
      default: false,
      description: 'Set by npm run recover while it imports: the preflight reads nothing (an import creates nothing)',
    });
    importing.overrideLogicalId(RECOVER_IMPORT_VARIABLE);
    for (const source of reads.sources) this.readSource(source, props.provider(source.account));
    for (const target of reads.targets) this.readTarget(target, props.provider(target.account), props.createdWorkspaceArn);
  }

  /** The gates a pair's resources depend on; undefined when it has none (no `depends_on` then). */
  gatesOf(pair: string): DataAwsPartition[] | undefined {
    return this.gates.get(pair);
  }

  /** One cluster's or workspace's checks, as the postconditions of a gate counted on its skip. */
  private gate(id: string, provider: AwsProvider, skip: string, pairs: readonly string[], checks: PreflightCheck[]): void {
    if (!checks.length) return;
    this.checks.push(...checks);
    const gate = new DataAwsPartition(this, `gate-${id}`, { provider });
    gate.addOverride('count', interpolation(`${skip} ? 0 : 1`));
    // Overrides, written as given: cdktf escapes the quotes of string literals inside a condition passed as a property.
    gate.addOverride(
      'lifecycle.postcondition',
      checks.map((check) => ({
        condition: interpolation(check.condition),
        error_message: interpolation(messageExpression(check.message, this.template(check.message.template))),
      })),
    );
    for (const pair of pairs) this.gates.set(pair, [...(this.gatesOf(pair) ?? []), gate]);
  }

  /**
   * HCL boolean: every one of `pairs` is deployed with these inputs (its state recorded the same digest), so its
   * reads and checks are skipped; so are they while recover imports. Through a local. A conditional, not `||`: HCL
   * then never evaluates the state's digests during an import, where they may be unknown.
   */
  private skipped(id: string, pairs: readonly string[]): string {
    const verified = this.verified;
    const same = verified ? pairs.map((p) => `${verified(p)} == ${hclString(this.fingerprints.get(p) ?? '')}`).join(' && ') : 'false';
    return this.localRef(`verified-${id}`, `var.${RECOVER_IMPORT_VARIABLE} ? true : (${same})`);
  }

  private template(text: string): string {
    let ref = this.templates.get(text);
    if (!ref) this.templates.set(text, (ref = this.localRef(`message-${this.templates.size}`, hclString(text))));
    return ref;
  }

  /** `count` of an account-wide listing: none when every cluster (or workspace) it serves is skipped. */
  private countedUnless(element: TerraformElement, skips: readonly string[]): void {
    element.addOverride('count', interpolation(`(${skips.join(' && ')}) ? 0 : 1`));
  }

  private local(id: string, expression: string): TerraformLocal {
    return new TerraformLocal(this, id, interpolation(expression));
  }

  /** `local.<name>` of a local, for use inside other expressions. */
  private localRef(id: string, expression: string): string {
    return `local.${this.local(id, expression).friendlyUniqueId}`;
  }

  private readSource(source: SourceReads, provider: AwsProvider): void {
    const prefix = `${source.account.name}`;
    const skips = source.clusters.map((c) => this.skipped(`${prefix}-cluster-${c.configName}`, c.pairs));
    const listing = new DataAwsEksClusters(this, `${prefix}-clusters`, { provider });
    this.countedUnless(listing, skips);
    // Counted listings: `[0]` exists only when some cluster of the account is read (and then every check may use it).
    const at0 = (element: TerraformElement & { terraformResourceType: string; friendlyUniqueId: string }, attribute: string, empty: string) =>
      `try(${address(element, 'data')}[0].${attribute}, ${empty})`;
    const clusterNames = at0(listing, 'names', '[]');
    const clusters = source.clusters.map((c, i) => {
      const data = new DataAwsEksCluster(this, `${prefix}-cluster-${c.configName}`, { provider, name: literal(c.eksName) });
      const exists = `contains(${clusterNames}, ${hclString(c.eksName)})`;
      data.addOverride('count', interpolation(`(${skips[i]} ? false : ${exists}) ? 1 : 0`));
      return { read: c, data, skip: skips[i] };
    });
    // Each VPC once, however many clusters share it; a cluster that does not exist (or is skipped) adds none.
    const vpcIds = `toset(compact(concat(${clusters.map(({ data }) => `${address(data, 'data')}[*].vpc_config[0].vpc_id`).join(', ')})))`;
    const vpcs = this.forEach(new DataAwsVpc(this, `${prefix}-vpcs`, { provider, id: '${each.key}' }), this.localRef(`${prefix}-vpc-ids`, vpcIds));
    const subnetListing = new DataAwsSubnets(this, `${prefix}-subnets`, { provider, filter: [{ name: 'subnet-id', values: source.subnetIds }] });
    this.countedUnless(subnetListing, skips);
    const existingSubnetIds = at0(subnetListing, 'ids', '[]');
    const subnets = this.forEach(new DataAwsSubnet(this, `${prefix}-subnet`, { provider, id: '${each.key}' }), `toset(${existingSubnetIds})`);
    let groups: string | undefined;
    if (source.securityGroupIds.length) {
      const listingOfGroups = new DataAwsSecurityGroups(this, `${prefix}-security-groups`, {
        provider,
        filter: [{ name: 'group-id', values: source.securityGroupIds }],
      });
      this.countedUnless(listingOfGroups, skips);
      groups = `${address(listingOfGroups, 'data')}[0]`;
    }
    for (const { read, data, skip } of clusters)
      this.gate(
        `${prefix}-cluster-${read.configName}`,
        provider,
        skip,
        read.pairs,
        clusterChecks(read, source.account.id, {
          clusterNames,
          cluster: address(data, 'data'),
          vpcs: address(vpcs, 'data'),
          existingSubnetIds,
          subnets: address(subnets, 'data'),
          securityGroups: groups,
        }),
      );
  }

  private readTarget(target: TargetReads, provider: AwsProvider, createdArn: (workspace: CreatedWorkspacePlan) => string): void {
    const prefix = `${target.account.name}`;
    const skips = target.workspaces.map((w) => this.skipped(`${prefix}-workspace-${w.name}`, w.pairs));
    const listing = new DataAwsPrometheusWorkspaces(this, `${prefix}-workspaces`, { provider });
    this.countedUnless(listing, skips);
    const workspaceIds = `try(${address(listing, 'data')}[0].workspace_ids, [])`;
    target.workspaces.forEach((w, i) => {
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
      const exists = `contains(${workspaceIds}, ${workspaceId})`;
      data.addOverride('count', interpolation(`(${skips[i]} ? false : ${exists}) ? 1 : 0`));
      this.gate(
        `${prefix}-workspace-${w.name}`,
        provider,
        skips[i],
        w.pairs,
        workspaceChecks(w, target.account.id, {
          workspaceIds,
          workspaceId,
          workspace: address(data, 'data'),
          pending: ws.kind === 'created' ? `${workspaceId} == ${hclString(PENDING_WORKSPACE_ID)}` : undefined,
        }),
      );
    });
  }

  /**
   * `for_each` over a set read from other data sources, empty while recover imports: in Terraform's import walk a
   * counted data source without instances evaluates to an unknown value (not an empty one), which for_each refuses.
   */
  private forEach<T extends TerraformElement & { terraformResourceType: string; friendlyUniqueId: string }>(element: T, keys: string): T {
    element.addOverride('for_each', interpolation(`var.${RECOVER_IMPORT_VARIABLE} ? toset([]) : ${keys}`));
    return element;
  }
}
