/**
 * Plan-time preflight of a phase-1 stack: reads (reads.ts) what its scrapers depend on with the provider's data
 * sources, and guards it with the checks (checks.ts) as postconditions of a gate per account, one instance per
 * cluster (or workspace) of it. A failed check fails `terraform plan` (so `cdktf diff`, `npm run diff` and the
 * deploy's plan) before anything is created; every resource of a pair depends on its gates, so nothing is applied
 * ahead of a check either. A cluster or workspace whose pairs the state records as deployed with the same inputs
 * (`verified`: reads.ts preflightFingerprints) is not read or checked again: nothing of it is created or replaced, so
 * a no-change plan reads nothing and evaluates no check (npm run status checks deployed pairs live).
 *
 * Blocks per account, not per cluster: Terraform parses, validates and graphs every block on every plan, skipped
 * or not, so the preflight's cost on a no-change plan grows with its blocks (docs/performance.md).
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
import { address, hclString, interpolation } from '../terraform-expr';
import { RECOVER_IMPORT_VARIABLE } from './recover-import';
import { clusterChecks, clusterInput, messageExpression, workspaceChecks, workspaceInput, type PreflightCheck } from './checks';
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

type Addressable = TerraformElement & { terraformResourceType: string; friendlyUniqueId: string };

export class Preflight extends Construct {
  /**
   * Per pair, what its resources depend on: its source account's cluster gate and its target account's workspace
   * gate, whose postconditions are the checks. Data sources, not resources: the plan of a healthy stack adds nothing
   * and a failed check fails the read. aws_partition makes no API call. A gate has an instance per cluster (or
   * workspace) to check, so a no-change plan evaluates none of its checks.
   */
  private readonly gates = new Map<string, DataAwsPartition[]>();
  /** Each message template once per stack (a local): the sentences are the same for every account. */
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

  /** An account's checks, as the postconditions of a gate with an instance per key of `keys` (each.key in the checks). */
  private gate(id: string, provider: AwsProvider, keys: string, pairs: readonly string[], checks: PreflightCheck[]): void {
    const gate = new DataAwsPartition(this, `gate-${id}`, { provider });
    gate.addOverride('for_each', interpolation(keys));
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
   * HCL set of the keys (clusters or workspaces) to read and check: those with a pair the state does not record as
   * deployed with these inputs (the same digest); none while recover imports. Through a local. A conditional, not
   * `||`: HCL then never evaluates the state's digests during an import, where they may be unknown.
   */
  private pendingKeys(id: string, groups: readonly { key: string; pairs: readonly string[] }[]): string {
    const verified = this.verified;
    const keys = verified
      ? `compact([${groups
          .map(
            ({ key, pairs }) => `(${pairs.map((p) => `${verified(p)} == ${hclString(this.fingerprints.get(p) ?? '')}`).join(' && ')}) ? "" : ${hclString(key)}`,
          )
          .join(', ')}])`
      : `[${groups.map(({ key }) => hclString(key)).join(', ')}]`;
    return this.localRef(`pending-${id}`, `var.${RECOVER_IMPORT_VARIABLE} ? toset([]) : toset(${keys})`);
  }

  private template(text: string): string {
    let ref = this.templates.get(text);
    if (!ref) this.templates.set(text, (ref = this.localRef(`message-${this.templates.size}`, hclString(text))));
    return ref;
  }

  /** `count` of an account-wide listing: one while anything of the account is to be checked. */
  private countedOn(element: TerraformElement, pending: string): void {
    element.addOverride('count', interpolation(`length(${pending}) > 0 ? 1 : 0`));
  }

  /** `local.<name>` of a new local, for use inside other expressions. */
  private localRef(id: string, expression: string): string {
    return `local.${new TerraformLocal(this, id, interpolation(expression)).friendlyUniqueId}`;
  }

  private readSource(source: SourceReads, provider: AwsProvider): void {
    const prefix = `${source.account.name}-clusters`;
    const inputs = this.localRef(
      `inputs-${prefix}`,
      `{${source.clusters.map((c) => `${hclString(c.configName)} = ${clusterInput(c, source.account.id)}`).join(', ')}}`,
    );
    const pending = this.pendingKeys(
      prefix,
      source.clusters.map((c) => ({ key: c.configName, pairs: c.pairs })),
    );
    const listing = new DataAwsEksClusters(this, prefix, { provider });
    this.countedOn(listing, pending);
    // Counted listings: `[0]` exists only while something of the account is checked (and then every check may use it).
    const at0 = (element: Addressable, attribute: string) => `try(${address(element, 'data')}[0].${attribute}, [])`;
    const clusterNames = at0(listing, 'names');
    const clusters = this.forEach(
      new DataAwsEksCluster(this, `${source.account.name}-cluster`, { provider, name: interpolation(`${inputs}[each.key].eks`) }),
      `toset([for k in ${pending} : k if contains(${clusterNames}, ${inputs}[k].eks)])`,
    );
    // Each VPC once, however many clusters share it.
    const vpcs = this.forEach(
      new DataAwsVpc(this, `${source.account.name}-vpcs`, { provider, id: '${each.key}' }),
      `toset(compact([for c in ${address(clusters, 'data')} : c.vpc_config[0].vpc_id]))`,
    );
    const subnetListing = new DataAwsSubnets(this, `${source.account.name}-subnets`, { provider, filter: [{ name: 'subnet-id', values: source.subnetIds }] });
    this.countedOn(subnetListing, pending);
    const existingSubnetIds = at0(subnetListing, 'ids');
    const subnets = this.forEach(new DataAwsSubnet(this, `${source.account.name}-subnet`, { provider, id: '${each.key}' }), `toset(${existingSubnetIds})`);
    let groups: string | undefined;
    if (source.securityGroupIds.length) {
      const listingOfGroups = new DataAwsSecurityGroups(this, `${source.account.name}-security-groups`, {
        provider,
        filter: [{ name: 'group-id', values: source.securityGroupIds }],
      });
      this.countedOn(listingOfGroups, pending);
      groups = `${address(listingOfGroups, 'data')}[0]`;
    }
    const checks = clusterChecks({
      input: `${inputs}[each.key]`,
      clusterNames,
      cluster: `${address(clusters, 'data')}[each.key]`,
      vpcs: address(vpcs, 'data'),
      existingSubnetIds,
      subnets: address(subnets, 'data'),
      securityGroups: groups,
    });
    this.gate(
      prefix,
      provider,
      pending,
      source.clusters.flatMap((c) => c.pairs),
      checks,
    );
  }

  private readTarget(target: TargetReads, provider: AwsProvider, createdArn: (workspace: CreatedWorkspacePlan) => string): void {
    const prefix = `${target.account.name}-workspaces`;
    const fields = target.workspaces.map((w) => {
      const ws = w.workspace;
      if (ws.kind === 'existing') return workspaceInput(w, target.account.id, hclString(ws.arn.split('/').pop() ?? ''));
      // A created workspace's ID comes from its stack's state (or the placeholder while it has none).
      const id = `element(split("/", ${createdArn(ws)}), 1)`;
      return workspaceInput(w, target.account.id, id, `${id} == ${hclString(PENDING_WORKSPACE_ID)}`);
    });
    const inputs = this.localRef(`inputs-${prefix}`, `{${target.workspaces.map((w, i) => `${hclString(w.name)} = ${fields[i]}`).join(', ')}}`);
    const pending = this.pendingKeys(
      prefix,
      target.workspaces.map((w) => ({ key: w.name, pairs: w.pairs })),
    );
    const listing = new DataAwsPrometheusWorkspaces(this, prefix, { provider });
    this.countedOn(listing, pending);
    const workspaceIds = `try(${address(listing, 'data')}[0].workspace_ids, [])`;
    const workspaces = this.forEach(
      // Through the local: its reference has no quotes for cdktf to escape.
      new DataAwsPrometheusWorkspace(this, `${target.account.name}-workspace`, { provider, workspaceId: interpolation(`${inputs}[each.key].id`) }),
      `toset([for k in ${pending} : k if contains(${workspaceIds}, ${inputs}[k].id)])`,
    );
    const checks = workspaceChecks({ input: `${inputs}[each.key]`, workspaceIds, workspace: `${address(workspaces, 'data')}[each.key]` });
    this.gate(
      prefix,
      provider,
      pending,
      target.workspaces.flatMap((w) => w.pairs),
      checks,
    );
  }

  /**
   * `for_each` over a set read from other data sources, empty while recover imports: in Terraform's import walk a
   * counted data source without instances evaluates to an unknown value (not an empty one), which for_each refuses.
   */
  private forEach<T extends Addressable>(element: T, keys: string): T {
    element.addOverride('for_each', interpolation(`var.${RECOVER_IMPORT_VARIABLE} ? toset([]) : ${keys}`));
    return element;
  }
}
