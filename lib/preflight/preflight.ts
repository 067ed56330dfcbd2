/**
 * Plan-time preflight of a phase-1 stack: reads (reads.ts) what its scrapers depend on with the provider's data
 * sources, and guards it with the checks (checks.ts) as postconditions of one data source. A failed check fails
 * `terraform plan` (so `cdktf diff`, `npm run diff` and the deploy's plan) before anything is created; every
 * resource of the pairs depends on the gate, so nothing is applied ahead of a check either. A pair whose state
 * records that it was deployed with the same inputs (`verified`: reads.ts preflightFingerprints) is not read again:
 * nothing of it is created or replaced, so a no-change plan reads nothing (npm run status checks deployed pairs live).
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
import { clusterChecks, workspaceChecks, type PreflightCheck } from './checks';
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
  /**
   * What the pairs' resources depend on; undefined when the stack has no pair. A data source, not a resource: the
   * checks are its postconditions, so the plan of a healthy stack adds nothing and a failed one fails the read.
   * aws_partition makes no API call.
   */
  readonly gate?: DataAwsPartition;
  readonly checks: PreflightCheck[] = [];
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

  /** The checks of skipped pairs hold without touching a data source (HCL evaluates only the chosen branch). */
  private unlessSkipped(skip: string, checks: PreflightCheck[]): PreflightCheck[] {
    return checks.map((c) => ({ ...c, condition: `(${skip} ? true : (${c.condition}))` }));
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

  private readSource(source: SourceReads, provider: AwsProvider): PreflightCheck[] {
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
    return clusters.flatMap(({ read, data, skip }) =>
      this.unlessSkipped(
        skip,
        clusterChecks(read, source.account.id, {
          clusterNames,
          cluster: address(data, 'data'),
          vpcs: address(vpcs, 'data'),
          existingSubnetIds,
          subnets: address(subnets, 'data'),
          securityGroups: groups,
        }),
      ),
    );
  }

  private readTarget(target: TargetReads, provider: AwsProvider, createdArn: (workspace: CreatedWorkspacePlan) => string): PreflightCheck[] {
    const prefix = `${target.account.name}`;
    const skips = target.workspaces.map((w) => this.skipped(`${prefix}-workspace-${w.name}`, w.pairs));
    const listing = new DataAwsPrometheusWorkspaces(this, `${prefix}-workspaces`, { provider });
    this.countedUnless(listing, skips);
    const workspaceIds = `try(${address(listing, 'data')}[0].workspace_ids, [])`;
    return target.workspaces.flatMap((w, i) => {
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
      return this.unlessSkipped(
        skips[i],
        workspaceChecks(w, target.account.id, {
          workspaceIds,
          workspaceId,
          workspace: address(data, 'data'),
          pending: ws.kind === 'created' ? `${workspaceId} == ${hclString(PENDING_WORKSPACE_ID)}` : undefined,
        }),
      );
    });
  }

  private forEach<T extends TerraformElement & { terraformResourceType: string; friendlyUniqueId: string }>(element: T, keys: string): T {
    element.addOverride('for_each', interpolation(keys));
    return element;
  }
}
