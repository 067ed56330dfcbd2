/**
 * Resolves a schema-valid config into the fleet plan (plan.ts), checking every rule that spans fields:
 * references, accounts and regions of ARNs, partitions, duplicates. Each rule is a small function that
 * returns its problems; planFleet runs them all, so one run reports every problem. They also run on the
 * schema-valid parts of a config that fails the schema (a FleetConfigDraft), so a field typo does not hide a
 * wrong region or a missing cluster until the next run.
 * Pure: scrape configurations arrive already read (see load.ts). Lookups go through Maps, so a name that
 * happens to be an Object.prototype key (`constructor`) is an ordinary name.
 */
import { parseArn, partitionOf, roleArn, workspaceIdOf, remoteWriteUrl } from '../arn';
import type { SourceSide } from '../iam-documents';
import type { FleetConfig } from './schema';
import { defaultFleetProblem, fleetBackend, IN_MEMORY_FLEET } from './fleet-identity';
import { backendRules, duplicateArnRule, pairTagRule, workspaceTagRule } from './limits';
import { moveRules, planUnits } from './units';
import { DEFAULT_AUTHENTICATION_MODE, workspaceStackName, type AccountRef, type FleetPlan, type PairPlan, type WorkspacePlan } from './plan';

export type {
  AccountRef,
  AuthenticationMode,
  ClusterPlan,
  CreatedWorkspacePlan,
  ExistingWorkspacePlan,
  FleetPlan,
  PairPlan,
  UnitPlan,
  WorkspacePlan,
} from './plan';

// Moved to errors.ts (it bounds and sanitizes every problem line); re-exported for existing importers.
import { ConfigError } from './errors';
export { ConfigError };

export const SCRAPERS_PER_ACCOUNT_REGION_QUOTA = 10;

type Problems = string[];
const entries = <T>(record: Record<string, T>): Array<[string, T]> => Object.entries(record);
type PairConfig = FleetConfig['pairs'][number];

/**
 * A config as far as it passed the schema: entries that failed it are left out, a pair that failed keeps its
 * index as `undefined`, and an invalid top-level field is undefined. `defined` names every account, cluster and
 * workspace the file has, valid or not, so a reference to an invalid one is not reported a second time as unknown.
 */
export interface FleetConfigDraft extends Partial<Omit<FleetConfig, 'accounts' | 'clusters' | 'workspaces' | 'pairs'>> {
  readonly accounts: FleetConfig['accounts'];
  readonly clusters: FleetConfig['clusters'];
  readonly workspaces: FleetConfig['workspaces'];
  readonly pairs: Array<PairConfig | undefined>;
  readonly defined?: { readonly accounts: string[]; readonly clusters: string[]; readonly workspaces: string[] };
}

function accountRefs(config: FleetConfigDraft): Map<string, AccountRef> {
  return new Map(
    entries(config.accounts).map(([name, a]) => [
      name,
      { name, id: a.id, region: a.region, partition: partitionOf(a.region), credentials: a.credentials, unit: a.unit, movedFrom: a.movedFrom },
    ]),
  );
}

/** Cross-account roles and trust work within one partition. */
export function partitionRule(accounts: Map<string, AccountRef>): Problems {
  const partitions = new Set([...accounts.values()].map((a) => a.partition));
  return partitions.size > 1 ? [`accounts: regions span partitions ${[...partitions].join(', ')}; cross-account scraping works within one partition only`] : [];
}

/** The deployer role must be in the account itself (and so in its partition): providers are pinned to the account. */
export function assumeRoleRule(accounts: Map<string, AccountRef>): Problems {
  const problems: Problems = [];
  for (const [name, a] of accounts) {
    const arn = a.credentials.assumeRoleArn;
    if (arn === undefined) continue;
    const parsed = parseArn(arn);
    if (!parsed) problems.push(`accounts.${name}.credentials.assumeRoleArn: not an IAM role ARN of a known partition`);
    else if (parsed.account !== a.id)
      problems.push(
        `accounts.${name}.credentials.assumeRoleArn: role is in account ${parsed.account} but the account id is ${a.id}; assume a role in the account itself`,
      );
    else if (parsed.partition !== a.partition)
      problems.push(`accounts.${name}.credentials.assumeRoleArn: partition ${parsed.partition} does not match region ${a.region} (partition ${a.partition})`);
  }
  return problems;
}

/** An ARN must carry its owner's account, region and partition. */
export function arnOwnerRule(path: string, arn: string, owner: AccountRef): Problems {
  const parsed = parseArn(arn);
  if (!parsed) return [`${path}: not an ARN of a known partition`];
  const problems: Problems = [];
  if (parsed.account !== owner.id) problems.push(`${path}: ARN account ${parsed.account} differs from account ${owner.name} (${owner.id})`);
  if (parsed.region !== owner.region) problems.push(`${path}: ARN region ${parsed.region} differs from account ${owner.name} region ${owner.region}`);
  if (parsed.partition !== owner.partition)
    problems.push(`${path}: ARN partition ${parsed.partition} does not match region ${owner.region} (partition ${owner.partition})`);
  return problems;
}

function lookupAccount(accounts: Map<string, AccountRef>, path: string, ref: string, problems: Problems, defined?: string[]): AccountRef | undefined {
  const found = accounts.get(ref);
  if (!found && !defined?.includes(ref))
    problems.push(`${path}: unknown account ${JSON.stringify(ref)}; defined accounts: ${(defined ?? [...accounts.keys()]).join(', ')}`);
  return found;
}

function planWorkspaces(config: FleetConfigDraft, accounts: Map<string, AccountRef>, problems: Problems): Map<string, WorkspacePlan> {
  const workspaces = new Map<string, WorkspacePlan>();
  for (const [name, w] of entries(config.workspaces)) {
    const account = lookupAccount(accounts, `workspaces.${name}.account`, w.account, problems, config.defined?.accounts);
    if (!account) continue;
    if (w.arn !== undefined) {
      problems.push(...arnOwnerRule(`workspaces.${name}.arn`, w.arn, account));
      const id = workspaceIdOf(w.arn) ?? '';
      workspaces.set(name, { kind: 'existing', name, account, arn: w.arn, remoteWriteUrl: remoteWriteUrl(account.partition, account.region, id) });
    } else if (w.create !== undefined) {
      if (w.create.kmsKeyArn) problems.push(...arnOwnerRule(`workspaces.${name}.create.kmsKeyArn`, w.create.kmsKeyArn, account));
      workspaces.set(name, {
        kind: 'created',
        name,
        account,
        stackName: workspaceStackName(name),
        alias: w.create.alias ?? name,
        kmsKeyArn: w.create.kmsKeyArn,
        tags: w.create.tags ?? {},
      });
    }
  }
  return workspaces;
}

/** Names and edges are identities: a pair name is unique, and so is a (cluster, workspace) edge. */
export function uniquePairsRule(pairs: Array<PairConfig | undefined>): Problems {
  const problems: Problems = [];
  const names = new Map<string, number>();
  const edges = new Map<string, number>();
  pairs.forEach((p, i) => {
    if (!p) return;
    const prev = names.get(p.name);
    if (prev !== undefined) problems.push(`pairs[${i}].name: ${JSON.stringify(p.name)} is already used by pairs[${prev}]; pair names must be unique`);
    else names.set(p.name, i);
    const edge = `${p.cluster}\u0000${p.workspace}`;
    const prevEdge = edges.get(edge);
    if (prevEdge !== undefined)
      problems.push(`pairs[${i}]: duplicate pair ${p.cluster} -> ${p.workspace} (same as pairs[${prevEdge}]); one scraper per cluster and workspace`);
    else edges.set(edge, i);
  });
  return problems;
}

/** One scraper can be adopted by one pair only. */
export function uniqueAdoptionRule(pairs: Array<PairConfig | undefined>): Problems {
  const problems: Problems = [];
  const owners = new Map<string, number>();
  pairs.forEach((p, i) => {
    if (!p?.adopt) return;
    const owner = owners.get(p.adopt.scraperId);
    if (owner !== undefined) problems.push(`pairs[${i}].adopt.scraperId: scraper ${p.adopt.scraperId} is already adopted by pairs[${owner}]`);
    else owners.set(p.adopt.scraperId, i);
  });
  return problems;
}

/** IAM role names are unique per account, case-insensitively. */
export function uniqueRoleNamesRule(pairs: PairPlan[], paths: Map<PairPlan, string>): Problems {
  const problems: Problems = [];
  const owners = new Map<string, string>();
  for (const pair of pairs) {
    for (const [field, roleName, account] of [
      ['sourceRoleName', pair.sourceRoleName, pair.source],
      ['targetRoleName', pair.targetRoleName, pair.target],
    ] as const) {
      const key = `${account.id}/${roleName.toLowerCase()}`;
      const here = `${paths.get(pair)}.${field}`;
      const owner = owners.get(key);
      if (owner) problems.push(`${here}: role ${roleName} in account ${account.id} is also used by ${owner}`);
      else owners.set(key, here);
    }
  }
  return problems;
}

/**
 * A pair's role is never the role an account's deployer assumes: creating it would fail on the name, and adopting
 * it would strip the deploy's own permissions (the plan-time proof in pair/adoption-proof.ts checks the live identity too).
 */
export function deployerRoleRule(accounts: Map<string, AccountRef>, pairs: PairPlan[], paths: Map<PairPlan, string>): Problems {
  const deployers = new Map<string, string>();
  for (const [name, a] of accounts) {
    const parsed = a.credentials.assumeRoleArn === undefined ? undefined : parseArn(a.credentials.assumeRoleArn);
    const role = parsed?.resource.replace(/^role\/(.*\/)?/, '');
    if (parsed && role) deployers.set(`${parsed.account}/${role.toLowerCase()}`, name);
  }
  const problems: Problems = [];
  for (const pair of pairs) {
    for (const [field, roleName, account] of [
      ['sourceRoleName', pair.sourceRoleName, pair.source],
      ['targetRoleName', pair.targetRoleName, pair.target],
    ] as const) {
      const owner = deployers.get(`${account.id}/${roleName.toLowerCase()}`);
      if (owner !== undefined)
        problems.push(
          `${paths.get(pair)}.${field}: role ${roleName} is the deployer role of account ${owner} (credentials.assumeRoleArn); a pair needs roles of its own: choose another name`,
        );
    }
  }
  return problems;
}

/** Cluster, scraper and workspace share a region; the pair crosses accounts. */
export function pairPlacementRule(path: string, pair: Pick<PairPlan, 'source' | 'target' | 'cluster' | 'workspace'>): Problems {
  const problems: Problems = [];
  const { source, target } = pair;
  if (source.region !== target.region) {
    problems.push(
      `${path}: cluster ${pair.cluster.name} is in ${source.region} but workspace ${pair.workspace.name} is in ${target.region}; cluster, scraper and workspace must share a region`,
    );
  }
  if (source.id === target.id) {
    problems.push(
      `${path}: cluster ${pair.cluster.name} and workspace ${pair.workspace.name} are both in account ${source.id}; amp-xa builds cross-account pairs (a same-account scraper needs no role_configuration)`,
    );
  }
  return problems;
}

/** `scrapeConfigs[i]` is the YAML for `config.pairs[i]`. Throws a ConfigError listing every problem. */
export function planFleet(config: FleetConfig, scrapeConfigs: string[], sourceName = 'config', where: FleetLocation = {}): FleetPlan {
  const { problems, plan } = checkFleet(config, scrapeConfigs, where);
  if (!plan) throw new ConfigError(sourceName, problems);
  return plan;
}

/**
 * Where a config came from: the folder its relative paths start from (default: the working directory) and the
 * fleet name it gets when it sets none (default: IN_MEMORY_FLEET; null: its file name is not one, a problem).
 */
export interface FleetLocation {
  readonly baseDir?: string;
  readonly defaultFleet?: string | null;
  readonly configFile?: string;
}

/** Every cross-field problem of a (possibly partial) config; the plan too when there is none and the config is whole. */
export function checkFleet(config: FleetConfigDraft, scrapeConfigs: string[], where: FleetLocation = {}): { problems: Problems; plan?: FleetPlan } {
  const accounts = accountRefs(config);
  const problems: Problems = [...partitionRule(accounts), ...assumeRoleRule(accounts)];
  const workspaces = planWorkspaces(config, accounts, problems);
  const clusters = new Map(entries(config.clusters));
  const clusterAccounts = new Map<string, AccountRef>();
  for (const [name, c] of clusters) {
    const account = lookupAccount(accounts, `clusters.${name}.account`, c.account, problems, config.defined?.accounts);
    if (!account) continue;
    problems.push(...arnOwnerRule(`clusters.${name}.arn`, c.arn, account));
    clusterAccounts.set(name, account);
  }
  problems.push(...uniquePairsRule(config.pairs), ...uniqueAdoptionRule(config.pairs), ...duplicateArnRule(config));
  const fleetTags = config.tags ?? {};

  const pairs: PairPlan[] = [];
  const paths = new Map<PairPlan, string>();
  config.pairs.forEach((p, i) => {
    if (!p) return;
    const path = `pairs[${i}]`;
    problems.push(...pairTagRule(path, p, fleetTags));
    const cluster = clusters.get(p.cluster);
    const workspace = workspaces.get(p.workspace);
    const definedClusters = config.defined?.clusters ?? [...clusters.keys()];
    const definedWorkspaces = config.defined?.workspaces ?? Object.keys(config.workspaces);
    if (!definedClusters.includes(p.cluster))
      problems.push(`${path}.cluster: unknown cluster ${JSON.stringify(p.cluster)}; defined clusters: ${definedClusters.join(', ')}`);
    if (!definedWorkspaces.includes(p.workspace))
      problems.push(`${path}.workspace: unknown workspace ${JSON.stringify(p.workspace)}; defined workspaces: ${definedWorkspaces.join(', ')}`);
    const source = clusterAccounts.get(p.cluster);
    if (!cluster || !workspace || !source) return;
    const target = workspace.account;
    const sourceRoleName = p.sourceRoleName ?? `amp-xa-${p.name}-source`;
    const targetRoleName = p.targetRoleName ?? `amp-xa-${p.name}-target`;
    const pair: PairPlan = {
      name: p.name,
      partition: source.partition,
      region: source.region,
      source,
      target,
      cluster: {
        name: p.cluster,
        arn: cluster.arn,
        subnetIds: cluster.subnetIds,
        securityGroupIds: cluster.securityGroupIds,
        authenticationMode: cluster.authenticationMode ?? DEFAULT_AUTHENTICATION_MODE,
        authenticationModeDeclared: cluster.authenticationMode !== undefined,
        allowAuthenticationModeMismatch: cluster.allowAuthenticationModeMismatch ?? false,
      },
      workspace,
      alias: p.alias ?? p.name,
      sourceRoleName,
      targetRoleName,
      sourceRoleArn: roleArn(source.partition, source.id, sourceRoleName),
      targetRoleArn: roleArn(target.partition, target.id, targetRoleName),
      scrapeConfiguration: scrapeConfigs[i],
      tags: p.tags ?? {},
      adopt: p.adopt,
    };
    problems.push(...pairPlacementRule(path, pair));
    pairs.push(pair);
    paths.set(pair, path);
  });
  problems.push(...uniqueRoleNamesRule(pairs, paths), ...deployerRoleRule(accounts, pairs, paths));
  const units = planUnits([...accounts.values()], pairs, [...clusterAccounts.values()], [...workspaces.values()]);
  const createdWorkspaces = [...workspaces.values()].filter((w) => w.kind === 'created');
  const targeted = new Set(config.pairs.map((p) => p?.workspace));
  for (const w of createdWorkspaces) problems.push(...workspaceTagRule(w, fleetTags, targeted.has(w.name)));
  const fleetName = config.fleet ?? (where.defaultFleet === undefined ? IN_MEMORY_FLEET : (where.defaultFleet ?? undefined));
  if (fleetName === undefined) problems.push(defaultFleetProblem(where.configFile ?? 'config'));
  const backend = config.backend && fleetName !== undefined ? fleetBackend(config.backend, fleetName, where.baseDir ?? process.cwd()) : undefined;
  if (backend) problems.push(...backendRules(backend, units, createdWorkspaces));

  problems.push(...moveRules(accounts, pairs));

  const { finalizer, bootstrapTrust, tags } = config;
  if (problems.length || !fleetName || !backend || !finalizer || !bootstrapTrust || !tags || config.pairs.some((p) => !p)) return { problems };
  return {
    problems,
    plan: {
      fleet: fleetName,
      accounts: [...accounts.values()],
      units,
      pairs,
      createdWorkspaces,
      backend,
      configuredBackend: config.backend!,
      finalizer,
      bootstrapTrust,
      tags,
    },
  };
}

/** Scrapers per source account and region beyond the default quota: worth a warning, not an error. */
export function quotaWarnings(plan: FleetPlan): string[] {
  const counts = new Map<string, number>();
  for (const p of plan.pairs) counts.set(`${p.source.id} ${p.region}`, (counts.get(`${p.source.id} ${p.region}`) ?? 0) + 1);
  return [...counts]
    .filter(([, n]) => n > SCRAPERS_PER_ACCOUNT_REGION_QUOTA)
    .map(
      ([k, n]) =>
        `account/region ${k} gets ${n} scrapers; the default AMP quota is ${SCRAPERS_PER_ACCOUNT_REGION_QUOTA} per account and region (raise it in Service Quotas first)`,
    );
}

/** The source side of a pair, as the IAM document builders take it. */
export function sourceSide(pair: PairPlan): SourceSide {
  return { partition: pair.partition, region: pair.region, sourceAccount: pair.source.id };
}
