/**
 * What the plan-time preflight of one stack reads, deduplicated: each cluster once (with the pairs that use it),
 * each subnet and security group once per source account, each workspace once (with its pairs), and one
 * listing per account (EKS clusters, AMP workspaces) that makes every detailed read existence-safe: a cluster or
 * workspace that does not exist is reported by amp-xa with the pair and the fix, not by the provider's error.
 * Pure: plain data from the fleet plan; the construct (preflight.ts) turns it into data sources.
 */
import type { AccountRef, AuthenticationMode, PairPlan, WorkspacePlan } from '../config/fleet';
import { createHash } from 'crypto';
import { parseArn } from '../arn';

export interface ClusterRead {
  /** The key in the config's `clusters` (the field paths in messages start with it). */
  readonly configName: string;
  /** The EKS cluster name, from its ARN. */
  readonly eksName: string;
  readonly arn: string;
  readonly region: string;
  /** Pairs scraping this cluster, in config order. */
  readonly pairs: string[];
  readonly subnetIds: readonly string[];
  /** Undefined: the scraper uses the cluster security group, which is in the cluster VPC by construction. */
  readonly securityGroupIds?: readonly string[];
  readonly authenticationMode: AuthenticationMode;
  readonly authenticationModeDeclared: boolean;
  readonly allowAuthenticationModeMismatch: boolean;
}

export interface SourceReads {
  readonly account: AccountRef;
  readonly clusters: ClusterRead[];
  /** Every subnet and security group the account's clusters name, once each, sorted. */
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
}

export interface WorkspaceRead {
  readonly name: string;
  readonly workspace: WorkspacePlan;
  readonly pairs: string[];
  /** Region of the pairs' clusters (the workspace must be there too). */
  readonly region: string;
}

export interface TargetReads {
  readonly account: AccountRef;
  readonly workspaces: WorkspaceRead[];
}

export interface PreflightReads {
  readonly sources: SourceReads[];
  readonly targets: TargetReads[];
}

/** The cluster name of an EKS cluster ARN (`...:cluster/<name>`). */
export function eksClusterName(arn: string): string {
  return (parseArn(arn)?.resource ?? '').replace(/^cluster\//, '');
}

const sortedUnique = (values: Iterable<string>) => [...new Set(values)].sort();

export function preflightReads(pairs: readonly PairPlan[]): PreflightReads {
  const sources = new Map<string, { account: AccountRef; clusters: Map<string, ClusterRead> }>();
  const targets = new Map<string, { account: AccountRef; workspaces: Map<string, WorkspaceRead> }>();
  for (const pair of pairs) {
    const source = sources.get(pair.source.name) ?? { account: pair.source, clusters: new Map<string, ClusterRead>() };
    sources.set(pair.source.name, source);
    const c = pair.cluster;
    const known = source.clusters.get(c.name);
    if (known) known.pairs.push(pair.name);
    else
      source.clusters.set(c.name, {
        configName: c.name,
        eksName: eksClusterName(c.arn),
        arn: c.arn,
        region: pair.region,
        pairs: [pair.name],
        subnetIds: c.subnetIds,
        securityGroupIds: c.securityGroupIds,
        authenticationMode: c.authenticationMode,
        authenticationModeDeclared: c.authenticationModeDeclared,
        allowAuthenticationModeMismatch: c.allowAuthenticationModeMismatch,
      });

    const target = targets.get(pair.target.name) ?? { account: pair.target, workspaces: new Map<string, WorkspaceRead>() };
    targets.set(pair.target.name, target);
    const w = target.workspaces.get(pair.workspace.name);
    if (w) w.pairs.push(pair.name);
    else target.workspaces.set(pair.workspace.name, { name: pair.workspace.name, workspace: pair.workspace, pairs: [pair.name], region: pair.region });
  }
  return {
    sources: [...sources.values()].map(({ account, clusters }) => {
      const list = [...clusters.values()];
      return {
        account,
        clusters: list,
        subnetIds: sortedUnique(list.flatMap((c) => c.subnetIds)),
        securityGroupIds: sortedUnique(list.flatMap((c) => c.securityGroupIds ?? [])),
      };
    }),
    targets: [...targets.values()].map(({ account, workspaces }) => ({ account, workspaces: [...workspaces.values()] })),
  };
}

/** Bumped whenever a check is added or changed: the next plan checks every pair again. */
export const PREFLIGHT_VERSION = 1;

/**
 * Per pair, a digest of everything its checks depend on (the cluster as the config gives it, the workspace, the
 * accounts, the checks' version). A deployed pair records it in its state; a plan skips the reads of a pair whose
 * recorded digest is the same, since nothing of it is created or replaced then. Pure.
 */
export function preflightFingerprints(reads: PreflightReads): Map<string, string> {
  const parts = new Map<string, { cluster?: unknown; workspace?: unknown }>();
  const part = (pair: string) => parts.get(pair) ?? parts.set(pair, {}).get(pair)!;
  for (const source of reads.sources)
    for (const { pairs, ...cluster } of source.clusters) for (const pair of pairs) part(pair).cluster = { account: source.account.id, ...cluster };
  for (const target of reads.targets)
    for (const w of target.workspaces) {
      const ws = w.workspace;
      const where = ws.kind === 'existing' ? ws.arn : `created ${ws.account.id} ${ws.account.region} ${ws.alias}`;
      for (const pair of w.pairs) part(pair).workspace = { account: target.account.id, name: w.name, region: w.region, where };
    }
  return new Map(
    [...parts].map(([pair, p]) => [
      pair,
      createHash('sha256')
        .update(JSON.stringify({ version: PREFLIGHT_VERSION, ...p }))
        .digest('hex')
        .slice(0, 32),
    ]),
  );
}
