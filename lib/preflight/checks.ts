/**
 * The preflight's checks: what a managed collector needs from its cluster, network and workspace (AWS user guide,
 * AMP-collector-how-to), as HCL conditions over the data sources the construct reads, each with a message naming
 * the pairs, what AWS reports and the fix. Pure: expressions and text.
 *
 * The checks are generic: what differs between clusters (names, pairs, subnets, the configured authentication mode)
 * is an input object (clusterInput, workspaceInput) the conditions and messages read, so an account's clusters share
 * one gate with one set of postconditions, instantiated per cluster (preflight.ts), instead of a gate each.
 *
 * A check that reads an object first asks whether it exists: a missing cluster or workspace gives one message, not
 * a provider error, and the checks of its details pass instead of repeating it (HCL evaluates only the chosen branch
 * of `a ? b : c`, so `exists ? detail : true` never touches the missing object).
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

/** HCL expressions of what one cluster's checks read. */
export interface ClusterRefs {
  /** The cluster's inputs: the object clusterInput writes. */
  readonly input: string;
  /** `names` of the account's aws_eks_clusters. */
  readonly clusterNames: string;
  /** The cluster's aws_eks_cluster (read only when it exists). */
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

/** HCL expressions of what one workspace's checks read. */
export interface WorkspaceRefs {
  /** The workspace's inputs: the object workspaceInput writes. */
  readonly input: string;
  /** `workspace_ids` of the account's aws_prometheus_workspaces. */
  readonly workspaceIds: string;
  /** The workspace's aws_prometheus_workspace (read only when it exists). */
  readonly workspace: string;
}

/**
 * A message, as `format(template, args...)`: the template is a call site's literal text, the same for every cluster
 * or workspace it reports on, so a stack keeps each one once (a local: preflight.ts); the arguments are HCL
 * expressions, those over data sources falling back to "?" (a message may be evaluated when the object it reports on
 * does not exist).
 */
export interface Message {
  readonly template: string;
  readonly args: readonly string[];
}
/** Text that is the same at every use of a message: part of its template. */
type Fixed = { readonly fixed: string };
/** An HCL expression; `safe`: it always evaluates (an input field), no fallback needed. */
type Part = Fixed | { readonly hcl: string; readonly safe?: boolean };
const hcl = (expression: string): Part => ({ hcl: expression });
const escape = (text: string) => text.replace(/%/g, '%%');
function msg(strings: TemplateStringsArray, ...values: Part[]): Message {
  let template = escape(strings[0]);
  const args: string[] = [];
  values.forEach((v, i) => {
    if ('fixed' in v) template += escape(v.fixed);
    else {
      template += '%s';
      args.push(v.safe ? v.hcl : `try(tostring(${v.hcl}), "?")`);
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
/** An HCL object of fields already written as HCL expressions. */
const object = (fields: Record<string, string>) =>
  `{${Object.entries(fields)
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ')}}`;
/** An input field, for conditions and messages. */
const field = (input: string) => (name: string) => `${input}.${name}`;
const fieldPart =
  (input: string) =>
  (name: string): Part => ({ hcl: `${input}.${name}`, safe: true });

/** `amp-xa: pair a: ` or `amp-xa: pairs a, b: `: every message starts by naming who is affected. */
export function pairsPrefix(pairs: readonly string[]): string {
  return `amp-xa: ${pairs.length === 1 ? 'pair' : 'pairs'} ${pairs.join(', ')}: `;
}
const NOTHING_CREATED: Fixed = { fixed: ' Nothing was created.' };

/**
 * How the live authentication mode is compared: `entries` (left out of the config: any mode that takes access
 * entries), `exact` (declared: that mode), `any` (a declared mismatch is allowed: not compared).
 */
function modeRule(c: ClusterRead): 'entries' | 'exact' | 'any' {
  if (!c.authenticationModeDeclared) return 'entries';
  return c.allowAuthenticationModeMismatch ? 'any' : 'exact';
}

/** The HCL object of one cluster's inputs the checks read (config values, quoted). */
export function clusterInput(c: ClusterRead, accountId: string): string {
  return object({
    at: hclString(pairsPrefix(c.pairs)),
    name: hclString(c.configName),
    eks: hclString(c.eksName),
    arn: hclString(c.arn),
    region: hclString(c.region),
    account: hclString(accountId),
    subnets: list(c.subnetIds),
    groups: list(c.securityGroupIds ?? []),
    mode: hclString(c.authenticationMode),
    mode_rule: hclString(modeRule(c)),
  });
}

/** The security group checks only when the account's groups are read (`refs.securityGroups`: some cluster names groups). */
export function clusterChecks(refs: ClusterRefs): PreflightCheck[] {
  const f = field(refs.input);
  const v = fieldPart(refs.input);
  const at = v('at');
  const exists = `contains(${refs.clusterNames}, ${f('eks')})`;
  const cluster = refs.cluster;
  const vpcId = `${cluster}.vpc_config[0].vpc_id`;
  const vpc = `${refs.vpcs}[${vpcId}]`;
  const ifExists = (condition: string) => `(${exists} ? (${condition}) : true)`;
  const subnetIds = f('subnets');
  /** The config's subnets that exist (the others have their own message). */
  const found = `[for id in ${subnetIds} : id if contains(${refs.existingSubnetIds}, id)]`;
  const fixUpdate = msg`aws eks update-cluster-config --region ${v('region')} --name ${v('eks')}`;
  const update = { hcl: messageExpression(fixUpdate), safe: true };
  const checks: PreflightCheck[] = [
    {
      id: 'cluster-exists',
      condition: exists,
      message: msg`${at}cluster ${v('eks')} (clusters.${v('name')}.arn ${v('arn')}) does not exist in account ${v('account')} region ${v('region')}; fix clusters.${v('name')}.arn, or create the cluster first.${NOTHING_CREATED}`,
    },
    {
      id: 'cluster-active',
      condition: ifExists(`${cluster}.status == "ACTIVE"`),
      message: msg`${at}cluster ${v('eks')} is ${hcl(`${cluster}.status`)}; AMP needs an ACTIVE cluster: wait until EKS reports ACTIVE.${NOTHING_CREATED}`,
    },
    {
      id: 'private-endpoint',
      condition: ifExists(`${cluster}.vpc_config[0].endpoint_private_access`),
      message: msg`${at}cluster ${v('eks')} has no private endpoint access (AMP scrapes it from inside the VPC); enable it: ${update} --resources-vpc-config endpointPrivateAccess=true.${NOTHING_CREATED}`,
    },
    {
      id: 'vpc-dns-support',
      condition: ifExists(`${vpc}.enable_dns_support`),
      message: msg`${at}VPC ${hcl(vpcId)} of cluster ${v('eks')} has DNS support disabled; enable it: aws ec2 modify-vpc-attribute --region ${v('region')} --vpc-id ${hcl(vpcId)} --enable-dns-support.${NOTHING_CREATED}`,
    },
    {
      id: 'vpc-dns-hostnames',
      condition: ifExists(`${vpc}.enable_dns_hostnames`),
      message: msg`${at}VPC ${hcl(vpcId)} of cluster ${v('eks')} has DNS hostnames disabled; enable them: aws ec2 modify-vpc-attribute --region ${v('region')} --vpc-id ${hcl(vpcId)} --enable-dns-hostnames.${NOTHING_CREATED}`,
    },
    {
      id: 'subnets-exist',
      condition: `length(setsubtract(${subnetIds}, ${refs.existingSubnetIds})) == 0`,
      message: msg`${at}subnets ${joined(`sort(setsubtract(${subnetIds}, ${refs.existingSubnetIds}))`)} of clusters.${v('name')}.subnetIds do not exist in account ${v('account')} region ${v('region')}; fix clusters.${v('name')}.subnetIds.${NOTHING_CREATED}`,
    },
    {
      id: 'subnets-in-cluster-vpc',
      condition: ifExists(`alltrue([for id in ${found} : ${refs.subnets}[id].vpc_id == ${vpcId}])`),
      message: msg`${at}subnets ${joined(`[for id in ${found} : format("%s (in %s)", id, ${refs.subnets}[id].vpc_id) if ${refs.subnets}[id].vpc_id != ${vpcId}]`)} of clusters.${v('name')}.subnetIds are not in the VPC of cluster ${v('eks')} (${hcl(vpcId)}); use subnets of that VPC.${NOTHING_CREATED}`,
    },
    {
      id: 'subnets-two-zones',
      condition: `length(distinct([for id in ${found} : ${refs.subnets}[id].availability_zone])) >= 2`,
      message: msg`${at}the subnets of clusters.${v('name')}.subnetIds that exist (${joined(`[for id in ${found} : format("%s in %s", id, ${refs.subnets}[id].availability_zone)]`)}) span ${hcl(`length(distinct([for id in ${found} : ${refs.subnets}[id].availability_zone]))`)} Availability Zone(s); AMP needs at least two subnets in at least two Availability Zones: add a subnet of the cluster VPC in another zone to clusters.${v('name')}.subnetIds.${NOTHING_CREATED}`,
    },
  ];
  if (refs.securityGroups) {
    const groups = f('groups');
    const sg = refs.securityGroups;
    // A cluster without groups uses the cluster security group, which is in the cluster VPC by construction.
    const ifGroups = (condition: string) => `(length(${groups}) == 0 ? true : (${condition}))`;
    checks.push(
      {
        id: 'security-groups-exist',
        condition: ifGroups(`length(setsubtract(${groups}, ${sg}.ids)) == 0`),
        message: msg`${at}security groups ${joined(`sort(setsubtract(${groups}, ${sg}.ids))`)} of clusters.${v('name')}.securityGroupIds do not exist in account ${v('account')} region ${v('region')}; fix clusters.${v('name')}.securityGroupIds.${NOTHING_CREATED}`,
      },
      {
        id: 'security-groups-in-cluster-vpc',
        condition: ifGroups(ifExists(`alltrue([for i, id in ${sg}.ids : ${sg}.vpc_ids[i] == ${vpcId} if contains(${groups}, id)])`)),
        message: msg`${at}security groups ${joined(`[for i, id in ${sg}.ids : format("%s (in %s)", id, ${sg}.vpc_ids[i]) if contains(${groups}, id) && ${sg}.vpc_ids[i] != ${vpcId}]`)} of clusters.${v('name')}.securityGroupIds are not in the VPC of cluster ${v('eks')} (${hcl(vpcId)}); use security groups of that VPC, or leave the field out for the cluster security group.${NOTHING_CREATED}`,
      },
    );
  }
  checks.push(authenticationModeCheck(refs.input, cluster, ifExists, update));
  return checks;
}

/** EKS answers without accessConfig only for clusters older than access entries, which are in CONFIG_MAP mode. */
const liveMode = (cluster: string) => `try(${cluster}.access_config[0].authentication_mode, "CONFIG_MAP")`;

/** One check whose rule and message the cluster's `mode_rule` selects: both messages share their sentences per stack. */
function authenticationModeCheck(input: string, cluster: string, ifExists: (condition: string) => string, update: Part): PreflightCheck {
  const f = field(input);
  const v = fieldPart(input);
  const live = liveMode(cluster);
  // EKS moves a cluster CONFIG_MAP -> API_AND_CONFIG_MAP -> API, never back.
  const enableEntries = msg`${update} --access-config authenticationMode=API_AND_CONFIG_MAP`;
  const entries = { hcl: messageExpression(enableEntries), safe: true };
  const configMapWay = msg`set clusters.${v('name')}.authenticationMode to CONFIG_MAP and apply the RBAC manifest and aws-auth mapping amp-xa outputs (npm run eks-access)`;
  const orConfigMap = { hcl: messageExpression(configMapWay), safe: true };
  const undeclared = msg`${v('at')}cluster ${v('eks')} is in authentication mode ${hcl(live)}, which takes no EKS access entries: AMP could not give the scraper access and it would be ACTIVE with no data. Enable access entries: ${entries}; or ${orConfigMap}.${NOTHING_CREATED}`;
  const advice = {
    hcl: `${f('mode')} == "CONFIG_MAP" ? ${messageExpression(msg`set clusters.${v('name')}.authenticationMode to the live mode (AMP then creates the scraper's access entry itself)`)} : ${messageExpression(
      msg`enable access entries: ${entries} (then set clusters.${v('name')}.authenticationMode to API_AND_CONFIG_MAP); or ${orConfigMap}`,
    )}`,
    safe: true,
  };
  const why = {
    hcl: `${live} == "CONFIG_MAP" ? ${messageExpression(msg`The cluster takes no access entries: the scraper would be ACTIVE with no data. Fix: ${advice}.`)} : ${messageExpression(
      msg`Fix: set clusters.${v('name')}.authenticationMode to the live mode.`,
    )}`,
  };
  const mismatch = msg`${v('at')}cluster ${v('eks')} is in authentication mode ${hcl(live)} but clusters.${v('name')}.authenticationMode says ${v('mode')}. ${why} If the difference is intended, set clusters.${v('name')}.allowAuthenticationModeMismatch to true.${NOTHING_CREATED}`;
  const rule = f('mode_rule');
  return {
    id: 'authentication-mode',
    condition: `${rule} == "any" ? true : ${ifExists(`${rule} == "entries" ? contains(["API", "API_AND_CONFIG_MAP"], ${live}) : ${live} == ${f('mode')}`)}`,
    // One message, as its check's other messages are: a format of the undeclared or the mismatch sentence.
    message: { template: '%s', args: [`${rule} == "entries" ? ${messageExpression(undeclared)} : ${messageExpression(mismatch)}`] },
  };
}

/**
 * The HCL object of one workspace's inputs. `id`: an HCL expression of its ID (from another stack's state if it is
 * created); `pending`: HCL boolean, that stack was never applied (no ARN yet: nothing to check).
 */
export function workspaceInput(w: WorkspaceRead, accountId: string, id: string, pending = 'false'): string {
  const ws = w.workspace;
  return object({
    at: hclString(pairsPrefix(w.pairs)),
    name: hclString(w.name),
    id,
    pending,
    account: hclString(accountId),
    region: hclString(w.region),
    where: hclString(ws.kind === 'existing' ? `workspaces.${w.name}.arn ${ws.arn}` : `created by stack ${ws.stackName}, ARN from its state`),
    fix: hclString(ws.kind === 'existing' ? `fix workspaces.${w.name}.arn, or create the workspace first` : `deploy stack ${ws.stackName} first`),
  });
}

export function workspaceChecks(refs: WorkspaceRefs): PreflightCheck[] {
  const f = field(refs.input);
  const v = fieldPart(refs.input);
  const exists = `contains(${refs.workspaceIds}, ${f('id')})`;
  const ws = refs.workspace;
  const unlessPending = (condition: string) => `(${f('pending')} ? true : (${condition}))`;
  const ifExists = (condition: string) => unlessPending(`(${exists} ? (${condition}) : true)`);
  return [
    {
      id: 'workspace-exists',
      condition: unlessPending(exists),
      message: msg`${v('at')}workspace ${v('name')} (${v('id')}, ${v('where')}) does not exist in account ${v('account')} region ${v('region')}; ${v('fix')}.${NOTHING_CREATED}`,
    },
    {
      id: 'workspace-active',
      condition: ifExists(`${ws}.status == "ACTIVE"`),
      message: msg`${v('at')}workspace ${v('name')} (${v('id')}) is ${hcl(`${ws}.status`)}; AMP writes only to an ACTIVE workspace: wait for it, or choose another.${NOTHING_CREATED}`,
    },
    {
      id: 'workspace-region',
      condition: ifExists(`split(":", ${ws}.arn)[3] == ${f('region')}`),
      message: msg`${v('at')}workspace ${v('name')} is in region ${hcl(`split(":", ${ws}.arn)[3]`)}, its cluster in ${v('region')}; cluster, scraper and workspace must share a region: choose a workspace in ${v('region')}.${NOTHING_CREATED}`,
    },
  ];
}
