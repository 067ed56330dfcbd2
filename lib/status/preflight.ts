/**
 * The plan-time preflight's checks (lib/preflight/checks.ts), made again for deployed pairs from what the SDK
 * reads (model.ts): the cluster (ACTIVE, private endpoint access), its network (VPC DNS support and hostnames,
 * the config's subnets and security groups existing in the cluster's VPC, two Availability Zones) and the
 * destination workspace (exists, ACTIVE, same region). Pure functions of a pair's plan and snapshot.
 */
import type { PairPlan } from '../config/fleet';
import { parseArn } from '../arn';
import type { CheckName, CheckResult, CheckState, PairSnapshot, Read } from './model';

const result = (check: CheckName, state: CheckState, summary: string, details: string[] = []): CheckResult => ({ check, state, summary, details });
const failed = (check: CheckName, read: { detail: string; account?: string }, summary: string): CheckResult => ({
  ...result(check, 'error', summary),
  ...(read.account ? { unreadableAccount: { name: read.account, problem: read.detail } } : {}),
});

function clusterName(pair: PairPlan): string {
  return (parseArn(pair.cluster.arn)?.resource ?? '').replace(/^cluster\//, '');
}

/** The cluster exists, is ACTIVE, and its endpoint is reachable from inside the VPC. */
export function checkCluster(pair: PairPlan, snapshot: PairSnapshot): CheckResult {
  const c = snapshot.cluster;
  const name = clusterName(pair);
  if (c.state === 'error') return failed('eks-cluster', c, `cannot describe cluster ${name}: ${c.detail}`);
  if (c.state === 'missing') return result('eks-cluster', 'problem', `cluster ${pair.cluster.arn} not found`, [`fix clusters.${pair.cluster.name}.arn`]);
  const problems: string[] = [];
  if (c.value.status !== undefined && c.value.status !== 'ACTIVE') problems.push(`cluster ${name} is ${c.value.status}; AMP needs it ACTIVE`);
  if (c.value.endpointPrivateAccess === false)
    problems.push(
      `cluster ${name} has no private endpoint access; enable it: aws eks update-cluster-config --region ${pair.region} --name ${name} --resources-vpc-config endpointPrivateAccess=true`,
    );
  return problems.length
    ? result('eks-cluster', 'problem', `cluster ${name}: ${problems.length} problem(s)`, problems)
    : result('eks-cluster', 'ok', `cluster ${name} ACTIVE, private endpoint access on`);
}

/** VPC DNS, and the config's subnets and security groups: existing, in the cluster's VPC, subnets in 2+ zones. */
export function checkNetwork(pair: PairPlan, snapshot: PairSnapshot): CheckResult {
  const n = snapshot.network;
  const field = `clusters.${pair.cluster.name}`;
  if (n.state === 'error') return failed('network', n, `cannot describe the network of cluster ${pair.cluster.name}: ${n.detail}`);
  if (n.state === 'missing') return result('network', 'unknown', `network of cluster ${pair.cluster.name} not read: ${n.detail}`);
  const { vpc, subnets, securityGroups } = n.value;
  const problems: string[] = [];
  if (vpc?.dnsSupport === false)
    problems.push(`VPC ${vpc.id} has DNS support disabled; enable it: aws ec2 modify-vpc-attribute --vpc-id ${vpc.id} --enable-dns-support`);
  if (vpc?.dnsHostnames === false)
    problems.push(`VPC ${vpc.id} has DNS hostnames disabled; enable them: aws ec2 modify-vpc-attribute --vpc-id ${vpc.id} --enable-dns-hostnames`);
  const missingSubnets = pair.cluster.subnetIds.filter((id) => !subnets.some((s) => s.id === id));
  if (missingSubnets.length) problems.push(`subnets ${missingSubnets.join(', ')} of ${field}.subnetIds do not exist`);
  const foreignSubnets = vpc ? subnets.filter((s) => s.vpcId !== vpc.id) : [];
  if (foreignSubnets.length) problems.push(`subnets ${foreignSubnets.map((s) => `${s.id} (in ${s.vpcId})`).join(', ')} are not in the cluster VPC ${vpc?.id}`);
  const zones = new Set(subnets.map((s) => s.availabilityZone));
  if (zones.size < 2)
    problems.push(`the subnets of ${field}.subnetIds span ${zones.size} Availability Zone(s); AMP needs at least two subnets in at least two`);
  const groups = pair.cluster.securityGroupIds ?? [];
  const missingGroups = groups.filter((id) => !securityGroups.some((g) => g.id === id));
  if (missingGroups.length) problems.push(`security groups ${missingGroups.join(', ')} of ${field}.securityGroupIds do not exist`);
  const foreignGroups = vpc ? securityGroups.filter((g) => g.vpcId !== vpc.id) : [];
  if (foreignGroups.length)
    problems.push(`security groups ${foreignGroups.map((g) => `${g.id} (in ${g.vpcId})`).join(', ')} are not in the cluster VPC ${vpc?.id}`);
  const where = `VPC ${vpc?.id ?? 'unknown'}, ${subnets.length} subnet(s) in ${zones.size} zone(s)`;
  return problems.length ? result('network', 'problem', `${where}: ${problems.length} problem(s)`, problems) : result('network', 'ok', `${where}, DNS on`);
}

/** The destination workspace exists, is ACTIVE, and is in the pair's region. */
export function checkWorkspace(pair: PairPlan, snapshot: PairSnapshot): CheckResult {
  const w: Read<{ arn: string; status?: string }> = snapshot.workspace;
  const name = pair.workspace.name;
  if (w.state === 'error') return failed('workspace', w, `cannot describe workspace ${name}: ${w.detail}`);
  if (w.state === 'missing') return result('workspace', 'problem', `workspace ${name} not found: ${w.detail}`);
  const region = parseArn(w.value.arn)?.region;
  const problems: string[] = [];
  if (w.value.status !== 'ACTIVE') problems.push(`workspace ${name} is ${w.value.status ?? 'of unknown status'}; AMP writes only to an ACTIVE workspace`);
  if (region !== pair.region) problems.push(`workspace ${name} is in ${region}, the cluster in ${pair.region}`);
  return problems.length
    ? result('workspace', 'problem', `workspace ${name}: ${problems.join('; ')}`)
    : result('workspace', 'ok', `workspace ${name} ACTIVE in ${region}`);
}
