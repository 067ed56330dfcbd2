/**
 * Resolves a schema-valid config into the fleet plan the stacks are built from, checking every rule
 * that spans fields: references, accounts and regions of ARNs, partitions, duplicate pairs.
 * Pure: scrape configurations arrive already read (see load.ts).
 */
import { parseArn, partitionOf, roleArn, workspaceIdOf, remoteWriteUrl } from '../arn';
import type { SourceSide } from '../iam-documents';
import type { AccountConfig, BackendConfig, FinalizerConfig, FleetConfig, Credentials } from './schema';

export interface AccountRef {
  readonly name: string;
  readonly id: string;
  readonly region: string;
  readonly credentials: Credentials;
}

export interface WorkspacePlan {
  readonly name: string;
  readonly account: AccountRef;
  /** Existing workspace; undefined when amp-xa creates it. */
  readonly arn?: string;
  /** Set when amp-xa creates the workspace: its stack name and settings. */
  readonly create?: { stackName: string; alias: string; kmsKeyArn?: string; tags: Record<string, string> };
}

export interface PairPlan {
  readonly name: string;
  readonly scraperStackName: string;
  readonly trustStackName: string;
  readonly partition: string;
  readonly region: string;
  readonly source: AccountRef;
  readonly target: AccountRef;
  readonly cluster: {
    readonly name: string;
    readonly arn: string;
    readonly subnetIds: string[];
    readonly securityGroupIds?: string[];
    readonly authenticationMode: 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP';
  };
  readonly workspace: WorkspacePlan;
  readonly alias: string;
  readonly sourceRoleName: string;
  readonly targetRoleName: string;
  readonly sourceRoleArn: string;
  readonly targetRoleArn: string;
  readonly scrapeConfiguration: string;
  readonly tags: Record<string, string>;
}

export interface FleetPlan {
  readonly partition: string;
  readonly pairs: PairPlan[];
  readonly createdWorkspaces: WorkspacePlan[];
  readonly backend: BackendConfig;
  readonly finalizer: FinalizerConfig;
  readonly tags: Record<string, string>;
}

// Moved to errors.ts (it bounds and sanitizes every problem line); re-exported for existing importers.
import { ConfigError } from './errors';
export { ConfigError };

export const SCRAPERS_PER_ACCOUNT_REGION_QUOTA = 10;

/** `scrapeConfigs[i]` is the YAML for `config.pairs[i]`. */
export function planFleet(config: FleetConfig, scrapeConfigs: string[], sourceName = 'config'): FleetPlan {
  const problems: string[] = [];
  const accounts = new Map(Object.entries(config.accounts).map(([n, a]) => [n, accountRef(n, a)]));

  const partitions = new Set([...accounts.values()].map((a) => partitionOf(a.region)));
  if (partitions.size > 1) {
    problems.push(`accounts: regions span partitions ${[...partitions].join(', ')}; cross-account scraping works within one partition only`);
  }
  const partition = [...partitions][0] ?? 'aws';

  for (const [n, a] of accounts) {
    const assumed = a.credentials.assumeRoleArn && parseArn(a.credentials.assumeRoleArn);
    if (assumed && assumed.account !== a.id) {
      problems.push(`accounts.${n}.credentials.assumeRoleArn: role is in account ${assumed.account} but the account id is ${a.id}; assume a role in the account itself`);
    }
  }

  const lookupAccount = (path: string, ref: string): AccountRef | undefined => {
    const found = accounts.get(ref);
    if (!found) problems.push(`${path}: unknown account ${JSON.stringify(ref)}; defined accounts: ${[...accounts.keys()].join(', ')}`);
    return found;
  };

  /** An ARN must carry its owner's account, region and partition. */
  const checkArnOwner = (path: string, arn: string, owner: AccountRef) => {
    const parsed = parseArn(arn)!;
    if (parsed.account !== owner.id) problems.push(`${path}: ARN account ${parsed.account} differs from account ${owner.name} (${owner.id})`);
    if (parsed.region !== owner.region) problems.push(`${path}: ARN region ${parsed.region} differs from account ${owner.name} region ${owner.region}`);
    if (parsed.partition !== partitionOf(owner.region)) problems.push(`${path}: ARN partition ${parsed.partition} does not match region ${owner.region} (partition ${partitionOf(owner.region)})`);
  };

  const workspaces = new Map<string, WorkspacePlan>();
  for (const [n, w] of Object.entries(config.workspaces)) {
    const account = lookupAccount(`workspaces.${n}.account`, w.account);
    if (!account) continue;
    if (w.arn !== undefined) {
      checkArnOwner(`workspaces.${n}.arn`, w.arn, account);
      workspaces.set(n, { name: n, account, arn: w.arn });
    } else if (w.create !== undefined) {
      const create = { stackName: `${n}-workspace`, alias: w.create.alias ?? n, kmsKeyArn: w.create.kmsKeyArn, tags: w.create.tags ?? {} };
      if (create.kmsKeyArn) checkArnOwner(`workspaces.${n}.create.kmsKeyArn`, create.kmsKeyArn, account);
      workspaces.set(n, { name: n, account, create });
    }
  }

  const clusterAccounts = new Map<string, AccountRef>();
  for (const [n, c] of Object.entries(config.clusters)) {
    const account = lookupAccount(`clusters.${n}.account`, c.account);
    if (!account) continue;
    checkArnOwner(`clusters.${n}.arn`, c.arn, account);
    clusterAccounts.set(n, account);
  }

  const pairs: PairPlan[] = [];
  const seenNames = new Map<string, number>();
  const seenEdges = new Map<string, number>();
  const roleNames = new Map<string, string>();

  config.pairs.forEach((p, i) => {
    const path = `pairs[${i}]`;
    const prev = seenNames.get(p.name);
    if (prev !== undefined) problems.push(`${path}.name: ${JSON.stringify(p.name)} is already used by pairs[${prev}]; pair names must be unique`);
    seenNames.set(p.name, i);
    const edge = `${p.cluster}->${p.workspace}`;
    const prevEdge = seenEdges.get(edge);
    if (prevEdge !== undefined) problems.push(`${path}: duplicate pair ${p.cluster} -> ${p.workspace} (same as pairs[${prevEdge}]); one scraper per cluster and workspace`);
    seenEdges.set(edge, i);

    const cluster = config.clusters[p.cluster];
    const workspace = workspaces.get(p.workspace);
    if (!cluster) problems.push(`${path}.cluster: unknown cluster ${JSON.stringify(p.cluster)}; defined clusters: ${Object.keys(config.clusters).join(', ')}`);
    if (!(p.workspace in config.workspaces)) problems.push(`${path}.workspace: unknown workspace ${JSON.stringify(p.workspace)}; defined workspaces: ${Object.keys(config.workspaces).join(', ')}`);
    const source = clusterAccounts.get(p.cluster);
    if (!cluster || !workspace || !source) return;
    const target = workspace.account;

    if (source.region !== target.region) {
      problems.push(`${path}: cluster ${p.cluster} is in ${source.region} but workspace ${p.workspace} is in ${target.region}; cluster, scraper and workspace must share a region`);
    }
    if (source.id === target.id) {
      problems.push(`${path}: cluster ${p.cluster} and workspace ${p.workspace} are both in account ${source.id}; amp-xa builds cross-account pairs (a same-account scraper needs no role_configuration)`);
    }

    const sourceRoleName = p.sourceRoleName ?? `amp-xa-${p.name}-source`;
    const targetRoleName = p.targetRoleName ?? `amp-xa-${p.name}-target`;
    for (const [field, roleName, account] of [['sourceRoleName', sourceRoleName, source], ['targetRoleName', targetRoleName, target]] as const) {
      const key = `${account.id}/${roleName.toLowerCase()}`;
      const owner = roleNames.get(key);
      // IAM role names are unique per account, case-insensitively.
      if (owner) problems.push(`${path}.${field}: role ${roleName} in account ${account.id} is also used by ${owner}`);
      roleNames.set(key, `${path}.${field}`);
    }

    pairs.push({
      name: p.name,
      scraperStackName: `${p.name}-scraper`,
      trustStackName: `${p.name}-trust`,
      partition: partitionOf(source.region),
      region: source.region,
      source,
      target,
      cluster: {
        name: p.cluster,
        arn: cluster.arn,
        subnetIds: cluster.subnetIds,
        securityGroupIds: cluster.securityGroupIds,
        authenticationMode: cluster.authenticationMode,
      },
      workspace,
      alias: p.alias ?? p.name,
      sourceRoleName,
      targetRoleName,
      sourceRoleArn: roleArn(partitionOf(source.region), source.id, sourceRoleName),
      targetRoleArn: roleArn(partitionOf(target.region), target.id, targetRoleName),
      scrapeConfiguration: scrapeConfigs[i],
      tags: p.tags ?? {},
    });
  });

  if (problems.length) throw new ConfigError(sourceName, problems);
  return {
    partition,
    pairs,
    createdWorkspaces: [...workspaces.values()].filter((w) => w.create && pairs.some((p) => p.workspace.name === w.name)),
    backend: config.backend,
    finalizer: config.finalizer,
    tags: config.tags,
  };
}

/** Scrapers per source account and region beyond the default quota: worth a warning, not an error. */
export function quotaWarnings(plan: FleetPlan): string[] {
  const counts = new Map<string, number>();
  for (const p of plan.pairs) counts.set(`${p.source.id} ${p.region}`, (counts.get(`${p.source.id} ${p.region}`) ?? 0) + 1);
  return [...counts]
    .filter(([, n]) => n > SCRAPERS_PER_ACCOUNT_REGION_QUOTA)
    .map(([k, n]) => `account/region ${k} gets ${n} scrapers; the default AMP quota is ${SCRAPERS_PER_ACCOUNT_REGION_QUOTA} per account and region (raise it in Service Quotas first)`);
}

/** The source side of a pair, as the IAM document builders take it. */
export function sourceSide(pair: PairPlan): SourceSide {
  return { partition: pair.partition, region: pair.region, sourceAccount: pair.source.id };
}

/** Remote-write URL for an existing workspace; created workspaces get theirs from the workspace stack. */
export function existingRemoteWriteUrl(pair: PairPlan): string | undefined {
  const id = pair.workspace.arn && workspaceIdOf(pair.workspace.arn);
  return id ? remoteWriteUrl(pair.partition, pair.region, id) : undefined;
}

function accountRef(name: string, a: AccountConfig): AccountRef {
  return { name, id: a.id, region: a.region, credentials: a.credentials };
}
