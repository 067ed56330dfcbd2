/**
 * The preflight's checks: what a managed collector needs from its cluster, network and workspace (AWS user guide,
 * AMP-collector-how-to), as HCL conditions over the data sources the construct reads, each with a message naming
 * the pairs, what AWS reports and the fix. Pure: expressions and text. A check that reads an object first asks
 * whether it exists (`exists` of its group): a missing cluster or workspace gives one message, not a provider
 * error, and the checks of its details pass instead of repeating it (HCL evaluates only the chosen branch of
 * `a ? b : c`, so `exists ? detail : true` never touches the missing object).
 */
import type { ClusterRead, WorkspaceRead } from './reads';
import { hclString } from '../terraform-expr';

export interface PreflightCheck {
  /** What is checked, for tests and the README: e.g. `private-endpoint`. */
  readonly id: string;
  /** HCL boolean: true = fine. */
  readonly condition: string;
  /** The message when the condition is false (messageExpression makes it one HCL expression). */
  readonly message: Message;
}

/** HCL expressions of the data sources one cluster's checks read. */
export interface ClusterRefs {
  /** `names` of the account's aws_eks_clusters. */
  readonly clusterNames: string;
  /** The aws_eks_cluster (counted: `[0]` when it exists). */
  readonly cluster: string;
  /** The account's aws_vpc, keyed by VPC ID. */
  readonly vpcs: string;
  /** `ids` of the account's aws_subnets (those of the config's subnets that exist). */
  readonly existingSubnetIds: string;
  /** The account's aws_subnet, keyed by subnet ID. */
  readonly subnets: string;
  /** The account's aws_security_groups (ids and vpc_ids, in the same order); undefined when no cluster names groups. */
  readonly securityGroups?: string;
}

/** HCL expressions of the data sources one workspace's checks read. */
export interface WorkspaceRefs {
  /** `workspace_ids` of the account's aws_prometheus_workspaces. */
  readonly workspaceIds: string;
  /** The workspace ID (a literal, or an expression for a workspace another stack creates). */
  readonly workspaceId: string;
  /** The aws_prometheus_workspace (counted: `[0]` when it exists). */
  readonly workspace: string;
  /** HCL boolean: the ARN is not known yet (the workspace stack was never applied): nothing to check. */
  readonly pending?: string;
}

/**
 * A message, as `format(template, args...)`: the template is a call site's literal text, the same for every cluster
 * or workspace it reports on, so a stack keeps each one once (a local: preflight.ts) instead of the sentence once per
 * cluster; the arguments are config values (quoted) and HCL expressions, each falling back to "?" (a message may be
 * evaluated when the object it reports on does not exist).
 */
export interface Message {
  readonly template: string;
  readonly args: readonly string[];
}
/** Text that is the same at every use of a message: part of its template. */
type Fixed = { readonly fixed: string };
type Part = string | Fixed | { readonly hcl: string };
const hcl = (expression: string): Part => ({ hcl: expression });
const escape = (text: string) => text.replace(/%/g, '%%');
function msg(strings: TemplateStringsArray, ...values: Part[]): Message {
  let template = escape(strings[0]);
  const args: string[] = [];
  values.forEach((v, i) => {
    if (typeof v === 'object' && 'fixed' in v) template += escape(v.fixed);
    else {
      template += '%s';
      args.push(typeof v === 'string' ? hclString(v) : `try(tostring(${v.hcl}), "?")`);
    }
    template += escape(strings[i + 1]);
  });
  return { template, args };
}

/** The message as one HCL string expression; `template`: an expression for its template (default: inline). */
export function messageExpression(message: Message, template = hclString(message.template)): string {
  return `format(${[template, ...message.args].join(', ')})`;
}
const list = (values: readonly string[]) => `[${values.map(hclString).join(', ')}]`;
const joined = (expression: string) => hcl(`join(", ", ${expression})`);

/** `amp-xa: pair a: ` or `amp-xa: pairs a, b: `: every message starts by naming who is affected. */
export function pairsPrefix(pairs: readonly string[]): string {
  return `amp-xa: ${pairs.length === 1 ? 'pair' : 'pairs'} ${pairs.join(', ')}: `;
}
const NOTHING_CREATED: Fixed = { fixed: ' Nothing was created.' };

export function clusterChecks(c: ClusterRead, accountId: string, refs: ClusterRefs): PreflightCheck[] {
  const at = pairsPrefix(c.pairs);
  const exists = `contains(${refs.clusterNames}, ${hclString(c.eksName)})`;
  const cluster = `${refs.cluster}[0]`;
  const vpcId = `${cluster}.vpc_config[0].vpc_id`;
  const vpc = `${refs.vpcs}[${vpcId}]`;
  const ifExists = (condition: string) => `(${exists} ? (${condition}) : true)`;
  const subnetIds = list(c.subnetIds);
  /** The config's subnets that exist (the others have their own message). */
  const found = `[for id in ${subnetIds} : id if contains(${refs.existingSubnetIds}, id)]`;
  const fixUpdate = `aws eks update-cluster-config --region ${c.region} --name ${c.eksName}`;
  const checks: PreflightCheck[] = [
    {
      id: 'cluster-exists',
      condition: exists,
      message: msg`${at}cluster ${c.eksName} (clusters.${c.configName}.arn ${c.arn}) does not exist in account ${accountId} region ${c.region}; fix clusters.${c.configName}.arn, or create the cluster first.${NOTHING_CREATED}`,
    },
    {
      id: 'cluster-active',
      condition: ifExists(`${cluster}.status == "ACTIVE"`),
      message: msg`${at}cluster ${c.eksName} is ${hcl(`${cluster}.status`)}; AMP needs an ACTIVE cluster: wait until EKS reports ACTIVE.${NOTHING_CREATED}`,
    },
    {
      id: 'private-endpoint',
      condition: ifExists(`${cluster}.vpc_config[0].endpoint_private_access`),
      message: msg`${at}cluster ${c.eksName} has no private endpoint access (AMP scrapes it from inside the VPC); enable it: ${fixUpdate} --resources-vpc-config endpointPrivateAccess=true.${NOTHING_CREATED}`,
    },
    {
      id: 'vpc-dns-support',
      condition: ifExists(`${vpc}.enable_dns_support`),
      message: msg`${at}VPC ${hcl(vpcId)} of cluster ${c.eksName} has DNS support disabled; enable it: aws ec2 modify-vpc-attribute --region ${c.region} --vpc-id ${hcl(vpcId)} --enable-dns-support.${NOTHING_CREATED}`,
    },
    {
      id: 'vpc-dns-hostnames',
      condition: ifExists(`${vpc}.enable_dns_hostnames`),
      message: msg`${at}VPC ${hcl(vpcId)} of cluster ${c.eksName} has DNS hostnames disabled; enable them: aws ec2 modify-vpc-attribute --region ${c.region} --vpc-id ${hcl(vpcId)} --enable-dns-hostnames.${NOTHING_CREATED}`,
    },
    {
      id: 'subnets-exist',
      condition: `length(setsubtract(${subnetIds}, ${refs.existingSubnetIds})) == 0`,
      message: msg`${at}subnets ${joined(`sort(setsubtract(${subnetIds}, ${refs.existingSubnetIds}))`)} of clusters.${c.configName}.subnetIds do not exist in account ${accountId} region ${c.region}; fix clusters.${c.configName}.subnetIds.${NOTHING_CREATED}`,
    },
    {
      id: 'subnets-in-cluster-vpc',
      condition: ifExists(`alltrue([for id in ${found} : ${refs.subnets}[id].vpc_id == ${vpcId}])`),
      message: msg`${at}subnets ${joined(`[for id in ${found} : format("%s (in %s)", id, ${refs.subnets}[id].vpc_id) if ${refs.subnets}[id].vpc_id != ${vpcId}]`)} of clusters.${c.configName}.subnetIds are not in the VPC of cluster ${c.eksName} (${hcl(vpcId)}); use subnets of that VPC.${NOTHING_CREATED}`,
    },
    {
      id: 'subnets-two-zones',
      condition: `length(distinct([for id in ${found} : ${refs.subnets}[id].availability_zone])) >= 2`,
      message: msg`${at}the subnets of clusters.${c.configName}.subnetIds that exist (${joined(`[for id in ${found} : format("%s in %s", id, ${refs.subnets}[id].availability_zone)]`)}) span ${hcl(`length(distinct([for id in ${found} : ${refs.subnets}[id].availability_zone]))`)} Availability Zone(s); AMP needs at least two subnets in at least two Availability Zones: add a subnet of the cluster VPC in another zone to clusters.${c.configName}.subnetIds.${NOTHING_CREATED}`,
    },
  ];
  if (c.securityGroupIds?.length && refs.securityGroups) {
    const groups = list(c.securityGroupIds);
    const sg = refs.securityGroups;
    checks.push(
      {
        id: 'security-groups-exist',
        condition: `length(setsubtract(${groups}, ${sg}.ids)) == 0`,
        message: msg`${at}security groups ${joined(`sort(setsubtract(${groups}, ${sg}.ids))`)} of clusters.${c.configName}.securityGroupIds do not exist in account ${accountId} region ${c.region}; fix clusters.${c.configName}.securityGroupIds.${NOTHING_CREATED}`,
      },
      {
        id: 'security-groups-in-cluster-vpc',
        condition: ifExists(`alltrue([for i, id in ${sg}.ids : ${sg}.vpc_ids[i] == ${vpcId} if contains(${groups}, id)])`),
        message: msg`${at}security groups ${joined(`[for i, id in ${sg}.ids : format("%s (in %s)", id, ${sg}.vpc_ids[i]) if contains(${groups}, id) && ${sg}.vpc_ids[i] != ${vpcId}]`)} of clusters.${c.configName}.securityGroupIds are not in the VPC of cluster ${c.eksName} (${hcl(vpcId)}); use security groups of that VPC, or leave the field out for the cluster security group.${NOTHING_CREATED}`,
      },
    );
  }
  const mode = authenticationModeCheck(c, cluster, ifExists, fixUpdate, at);
  if (mode) checks.push(mode);
  return checks;
}

/** EKS answers without accessConfig only for clusters older than access entries, which are in CONFIG_MAP mode. */
const liveMode = (cluster: string) => `try(${cluster}.access_config[0].authentication_mode, "CONFIG_MAP")`;

function authenticationModeCheck(
  c: ClusterRead,
  cluster: string,
  ifExists: (condition: string) => string,
  fixUpdate: string,
  at: string,
): PreflightCheck | undefined {
  const live = liveMode(cluster);
  const field = `clusters.${c.configName}.authenticationMode`;
  // EKS moves a cluster CONFIG_MAP -> API_AND_CONFIG_MAP -> API, never back.
  const enableEntries = `${fixUpdate} --access-config authenticationMode=API_AND_CONFIG_MAP`;
  const configMapWay = `set ${field} to CONFIG_MAP and apply the RBAC manifest and aws-auth mapping amp-xa outputs (npm run eks-access)`;
  if (!c.authenticationModeDeclared) {
    return {
      id: 'authentication-mode',
      condition: ifExists(`contains(["API", "API_AND_CONFIG_MAP"], ${live})`),
      message: msg`${at}cluster ${c.eksName} is in authentication mode ${hcl(live)}, which takes no EKS access entries: AMP could not give the scraper access and it would be ACTIVE with no data. Enable access entries: ${enableEntries}; or ${configMapWay}.${NOTHING_CREATED}`,
    };
  }
  if (c.allowAuthenticationModeMismatch) return undefined;
  const advice =
    c.authenticationMode === 'CONFIG_MAP'
      ? `set ${field} to the live mode (AMP then creates the scraper's access entry itself)`
      : `enable access entries: ${enableEntries} (then set ${field} to API_AND_CONFIG_MAP); or ${configMapWay}`;
  return {
    id: 'authentication-mode',
    condition: ifExists(`${live} == ${hclString(c.authenticationMode)}`),
    message: msg`${at}cluster ${c.eksName} is in authentication mode ${hcl(live)} but ${field} says ${c.authenticationMode}. ${hcl(
      `${live} == "CONFIG_MAP" ? ${hclString(`The cluster takes no access entries: the scraper would be ACTIVE with no data. Fix: ${advice}.`)} : ${hclString(`Fix: set ${field} to the live mode.`)}`,
    )} If the difference is intended, set clusters.${c.configName}.allowAuthenticationModeMismatch to true.${NOTHING_CREATED}`,
  };
}

export function workspaceChecks(w: WorkspaceRead, accountId: string, refs: WorkspaceRefs): PreflightCheck[] {
  const at = pairsPrefix(w.pairs);
  const exists = `contains(${refs.workspaceIds}, ${refs.workspaceId})`;
  const ws = `${refs.workspace}[0]`;
  const unlessPending = (condition: string) => (refs.pending ? `(${refs.pending} ? true : (${condition}))` : condition);
  const ifExists = (condition: string) => unlessPending(`(${exists} ? (${condition}) : true)`);
  const where =
    w.workspace.kind === 'existing' ? `workspaces.${w.name}.arn ${w.workspace.arn}` : `created by stack ${w.workspace.stackName}, ARN from its state`;
  const fix = w.workspace.kind === 'existing' ? `fix workspaces.${w.name}.arn, or create the workspace first` : `deploy stack ${w.workspace.stackName} first`;
  return [
    {
      id: 'workspace-exists',
      condition: unlessPending(exists),
      message: msg`${at}workspace ${w.name} (${hcl(refs.workspaceId)}, ${where}) does not exist in account ${accountId} region ${w.region}; ${fix}.${NOTHING_CREATED}`,
    },
    {
      id: 'workspace-active',
      condition: ifExists(`${ws}.status == "ACTIVE"`),
      message: msg`${at}workspace ${w.name} (${hcl(refs.workspaceId)}) is ${hcl(`${ws}.status`)}; AMP writes only to an ACTIVE workspace: wait for it, or choose another.${NOTHING_CREATED}`,
    },
    {
      id: 'workspace-region',
      condition: ifExists(`split(":", ${ws}.arn)[3] == ${hclString(w.region)}`),
      message: msg`${at}workspace ${w.name} is in region ${hcl(`split(":", ${ws}.arn)[3]`)}, its cluster in ${w.region}; cluster, scraper and workspace must share a region: choose a workspace in ${w.region}.${NOTHING_CREATED}`,
    },
  ];
}
