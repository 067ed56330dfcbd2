/**
 * Reads a pair's live state into a PairSnapshot (model.ts): the scraper, both roles with their trust and
 * policies, the workspace ARN and the workspace, the EKS cluster and its network (the preflight's checks). Read-only calls only; every failure
 * becomes data (missing / error) for the checks, so one unreadable account never hides the others.
 */
import {
  DescribeScraperCommand,
  DescribeWorkspaceCommand,
  ListScrapersCommand,
  ListWorkspacesCommand,
  type ScraperDescription,
  type ScraperSummary,
} from '@aws-sdk/client-amp';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { GetRoleCommand, type GetRoleCommandOutput, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { parseArn } from '../arn';
import type { PairPlan } from '../config/fleet';
import { errorText, isNotFound, type AccountClients, type AccountPool } from './aws';
import {
  found,
  missing,
  readError,
  type LiveCluster,
  type LiveNetwork,
  type LiveRole,
  type LiveScraper,
  type LiveWorkspace,
  type PairSnapshot,
  type Read,
} from './model';
import { decodePolicyDocument } from './policy';

/** The IAM actions these reads need, per side (the deployer policies in examples/deployer grant them). */
export const READ_ACTIONS = {
  source: [
    'sts:GetCallerIdentity',
    'aps:ListScrapers',
    'aps:DescribeScraper',
    'eks:DescribeCluster',
    'ec2:DescribeVpcAttribute',
    'ec2:DescribeSubnets',
    'ec2:DescribeSecurityGroups',
    'iam:GetRole',
    'iam:ListRolePolicies',
    'iam:GetRolePolicy',
    'iam:ListAttachedRolePolicies',
  ],
  target: [
    'sts:GetCallerIdentity',
    'aps:ListWorkspaces',
    'aps:DescribeWorkspace',
    'iam:GetRole',
    'iam:ListRolePolicies',
    'iam:GetRolePolicy',
    'iam:ListAttachedRolePolicies',
  ],
} as const;

/** Pages followed at most (a bound, not a limit anyone reaches: 100 pages of roles' policies or scrapers). */
const MAX_PAGES = 100;

/** Runs `read` once the account's credentials are verified; a thrown not-found becomes `missing`, anything else `error`. */
async function attempt<T>(clients: AccountClients, read: () => Promise<Read<T>>): Promise<Read<T>> {
  try {
    await clients.verified;
  } catch (e) {
    return readError((e as Error).message, clients.account.name);
  }
  try {
    return await read();
  } catch (e) {
    return isNotFound(e) ? missing(errorText(e)) : readError(errorText(e));
  }
}

export function toLiveScraper(s: ScraperSummary | ScraperDescription): LiveScraper {
  return {
    scraperId: s.scraperId ?? '',
    arn: s.arn ?? '',
    alias: s.alias,
    statusCode: s.status?.statusCode ?? 'UNKNOWN',
    statusReason: s.statusReason,
    roleArn: s.roleArn,
    clusterArn: s.source?.eksConfiguration?.clusterArn,
    workspaceArn: s.destination?.ampConfiguration?.workspaceArn,
    sourceRoleArn: s.roleConfiguration?.sourceRoleArn,
    targetRoleArn: s.roleConfiguration?.targetRoleArn,
    ...(s.tags ? { tags: { ...s.tags } } : {}),
  };
}

/** A scraper of the pair: its alias on its cluster (what findScrapers asks AWS to filter by). */
export const isPairScraper = (s: LiveScraper, pair: PairPlan): boolean => s.alias === pair.alias && s.clusterArn === pair.cluster.arn;

/** The pair's scrapers: `adopt.scraperId` if set (DescribeScraper), else ListScrapers by alias and cluster ARN. */
export function findScrapers(pair: PairPlan, pool: AccountPool): Promise<Read<LiveScraper[]>> {
  const clients = pool.for(pair.source);
  return attempt(clients, async () => {
    if (pair.adopt) {
      const answer = await clients.amp.send(new DescribeScraperCommand({ scraperId: pair.adopt.scraperId }));
      return found(answer.scraper ? [toLiveScraper(answer.scraper)] : []);
    }
    const scrapers: LiveScraper[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await clients.amp.send(new ListScrapersCommand({ filters: { alias: [pair.alias], sourceArn: [pair.cluster.arn] }, nextToken }));
      scrapers.push(...(answer.scrapers ?? []).map(toLiveScraper));
      nextToken = answer.nextToken;
      if (!nextToken) break;
    }
    // Filters are AWS's; checked again here so a service that ignores one cannot make a wrong match.
    return found(scrapers.filter((s) => isPairScraper(s, pair)));
  });
}

/** One scraper by ID (a state's leftover of a pair no longer configured): missing once AMP has deleted it. */
export function readScraper(clients: AccountClients, scraperId: string): Promise<Read<LiveScraper>> {
  return attempt(clients, async () => {
    const answer = await clients.amp.send(new DescribeScraperCommand({ scraperId }));
    return answer.scraper ? found(toLiveScraper(answer.scraper)) : missing(`scraper ${scraperId} not found`);
  });
}

/** Every scraper of the account's region, in one paginated listing (for checks over many pairs of one account). */
export function listAccountScrapers(clients: AccountClients): Promise<Read<LiveScraper[]>> {
  return attempt(clients, async () => {
    const scrapers: LiveScraper[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await clients.amp.send(new ListScrapersCommand({ nextToken }));
      scrapers.push(...(answer.scrapers ?? []).map(toLiveScraper));
      nextToken = answer.nextToken;
      if (!nextToken) break;
    }
    return found(scrapers);
  });
}

/** A role's name, ARN, trust and tags (GetRole alone): enough to tell whose it is, without its policies. */
export function readRoleTags(clients: AccountClients, roleName: string): Promise<Read<LiveRole>> {
  return attempt(clients, async () => {
    const { Role } = await clients.iam.send(new GetRoleCommand({ RoleName: roleName }));
    return found({ ...roleBasics(Role, roleName), inline: [], attached: [] });
  });
}

/** What GetRole says of a role: name, ARN, trust and tags. */
function roleBasics(role: GetRoleCommandOutput['Role'], roleName: string): Omit<LiveRole, 'inline' | 'attached'> {
  return {
    name: role?.RoleName ?? roleName,
    arn: role?.Arn ?? '',
    trust: decodePolicyDocument(role?.AssumeRolePolicyDocument),
    tags: Object.fromEntries((role?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}

async function pages<T>(fetchPage: (marker?: string) => Promise<{ items: T[]; marker?: string }>): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await fetchPage(marker);
    out.push(...answer.items);
    marker = answer.marker;
    if (!marker) break;
  }
  return out;
}

export function readRole(clients: AccountClients, roleName: string): Promise<Read<LiveRole>> {
  return attempt(clients, async () => {
    const { Role } = await clients.iam.send(new GetRoleCommand({ RoleName: roleName }));
    const names = await pages(async (Marker) => {
      const a = await clients.iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker }));
      return { items: a.PolicyNames ?? [], marker: a.IsTruncated ? a.Marker : undefined };
    });
    const inline = await Promise.all(
      names.map(async (name) => ({
        name,
        document: decodePolicyDocument((await clients.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }))).PolicyDocument),
      })),
    );
    const attached = await pages(async (Marker) => {
      const a = await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker }));
      return {
        items: (a.AttachedPolicies ?? []).map((p) => ({ name: p.PolicyName ?? '', arn: p.PolicyArn ?? '' })),
        marker: a.IsTruncated ? a.Marker : undefined,
      };
    });
    return found({ ...roleBasics(Role, roleName), inline, attached });
  });
}

export function readCluster(clients: AccountClients, clusterArn: string): Promise<Read<LiveCluster>> {
  const name = (parseArn(clusterArn)?.resource ?? '').replace(/^cluster\//, '');
  return attempt(clients, async () => {
    const { cluster } = await clients.eks.send(new DescribeClusterCommand({ name }));
    if (!cluster) return missing(`no cluster ${name}`);
    return found({
      authenticationMode: cluster.accessConfig?.authenticationMode,
      status: cluster.status,
      endpointPrivateAccess: cluster.resourcesVpcConfig?.endpointPrivateAccess,
      vpcId: cluster.resourcesVpcConfig?.vpcId,
    });
  });
}

/** The cluster's VPC attributes and the config's subnets and security groups (filters: a missing one is just absent). */
export function readNetwork(clients: AccountClients, pair: PairPlan, cluster: Read<LiveCluster>): Promise<Read<LiveNetwork>> {
  // Not readable for the cluster's reason (its account's credentials, say): the same reason here.
  if (cluster.state === 'error') return Promise.resolve(readError(cluster.detail, cluster.account));
  if (cluster.state === 'missing') return Promise.resolve(missing('the cluster does not exist'));
  const vpcId = cluster.value.vpcId;
  return attempt(clients, async () => {
    const attribute = async (Attribute: 'enableDnsSupport' | 'enableDnsHostnames') => {
      const a = await clients.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute }));
      return Attribute === 'enableDnsSupport' ? a.EnableDnsSupport?.Value : a.EnableDnsHostnames?.Value;
    };
    const groups = pair.cluster.securityGroupIds ?? [];
    const [dnsSupport, dnsHostnames, subnets, securityGroups] = await Promise.all([
      vpcId ? attribute('enableDnsSupport') : undefined,
      vpcId ? attribute('enableDnsHostnames') : undefined,
      clients.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: pair.cluster.subnetIds }] })),
      groups.length ? clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-id', Values: groups }] })) : undefined,
    ]);
    return found({
      vpc: vpcId ? { id: vpcId, dnsSupport, dnsHostnames } : undefined,
      subnets: (subnets.Subnets ?? []).map((s) => ({ id: s.SubnetId ?? '', vpcId: s.VpcId, availabilityZone: s.AvailabilityZone })),
      securityGroups: (securityGroups?.SecurityGroups ?? []).map((g) => ({ id: g.GroupId ?? '', vpcId: g.VpcId })),
    });
  });
}

/** The destination workspace, by the ID of its ARN. */
export function readWorkspace(clients: AccountClients, workspaceArn: Read<string>): Promise<Read<LiveWorkspace>> {
  if (workspaceArn.state !== 'found')
    return Promise.resolve(workspaceArn.state === 'error' ? readError(workspaceArn.detail, workspaceArn.account) : missing(workspaceArn.detail));
  const arn = workspaceArn.value;
  return attempt(clients, async () => {
    const { workspace } = await clients.amp.send(new DescribeWorkspaceCommand({ workspaceId: arn.split('/').pop() }));
    if (!workspace) return missing(`no workspace ${arn}`);
    return found({ arn: workspace.arn ?? arn, status: workspace.status?.statusCode });
  });
}

/** The workspace ARN: from the config, or (a workspace amp-xa creates) the one workspace with its exact alias. */
export function workspaceArnOf(pair: PairPlan, pool: AccountPool): Promise<Read<string>> {
  const ws = pair.workspace;
  if (ws.kind === 'existing') return Promise.resolve(found(ws.arn));
  const clients = pool.for(ws.account);
  return attempt(clients, async () => {
    const matches: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await clients.amp.send(new ListWorkspacesCommand({ alias: ws.alias, nextToken }));
      matches.push(...(answer.workspaces ?? []).filter((w) => w.alias === ws.alias && w.status?.statusCode !== 'DELETING').map((w) => w.arn ?? ''));
      nextToken = answer.nextToken;
      if (!nextToken) break;
    }
    if (matches.length === 1) return found(matches[0]);
    return missing(
      matches.length
        ? `${matches.length} workspaces have alias ${ws.alias} (stack ${ws.stackName})`
        : `no workspace with alias ${ws.alias} (stack ${ws.stackName} not deployed?)`,
    );
  });
}

export class SnapshotReader {
  private readonly clusters = new Map<string, Promise<Read<LiveCluster>>>();
  /** One network read per cluster, like the cluster itself. */
  private readonly networks = new Map<string, Promise<Read<LiveNetwork>>>();
  constructor(private readonly pool: AccountPool) {}

  async read(pair: PairPlan): Promise<PairSnapshot> {
    const source = this.pool.for(pair.source);
    const clusterKey = `${pair.source.name}\u0000${pair.cluster.arn}`;
    if (!this.clusters.has(clusterKey)) this.clusters.set(clusterKey, readCluster(source, pair.cluster.arn));
    if (!this.networks.has(clusterKey))
      this.networks.set(
        clusterKey,
        this.clusters.get(clusterKey)!.then((c) => readNetwork(source, pair, c)),
      );
    const [scrapers, workspaceArn, sourceRole, targetRole, cluster, network] = await Promise.all([
      findScrapers(pair, this.pool),
      workspaceArnOf(pair, this.pool),
      readRole(source, pair.sourceRoleName),
      readRole(this.pool.for(pair.target), pair.targetRoleName),
      this.clusters.get(clusterKey)!,
      this.networks.get(clusterKey)!,
    ]);
    const workspace = await readWorkspace(this.pool.for(pair.target), workspaceArn);
    return { scrapers, workspaceArn, sourceRole, targetRole, cluster, network, workspace };
  }
}
