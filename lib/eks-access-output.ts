/**
 * `npm run --silent eks-access`: what a CONFIG_MAP cluster needs, as YAML only (for `kubectl apply -f -`), for
 * the selected pairs: the RBAC manifest (the same for every cluster), or with --aws-auth the aws-auth `mapRoles`
 * entries of their scrapers' service-linked roles (live from AMP, path stripped). Pure apart from the lookup,
 * which the script backs with AMP and tests fake.
 */
import type { PairPlan } from './config/fleet';
import { UsageError } from './cli-options';
import { awsAuthMapRoles, collectorRbacManifest, pathFreeRoleArn } from './eks-access';
import { untrusted } from './status/text';

/** The scraper's service-linked role ARN (with its path), or a rejection saying why there is none. */
export type ScraperRoleLookup = (pair: PairPlan) => Promise<string>;

export interface EksAccessOutput {
  /** stdout: YAML only. */
  readonly yaml: string;
  /** stderr: notes for the operator. */
  readonly notes: string[];
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@-]+$/;

/** The pairs to print for: those named, else every pair whose cluster is in CONFIG_MAP mode. */
export function eksAccessPairs(pairs: PairPlan[], named: boolean, cluster?: string): { pairs: PairPlan[]; notes: string[] } {
  let selected = named ? pairs : pairs.filter((p) => p.cluster.authenticationMode === 'CONFIG_MAP');
  if (cluster !== undefined) {
    const clusters = [...new Set(pairs.map((p) => p.cluster.name))];
    if (!clusters.includes(cluster))
      throw new UsageError(
        `eks-access: --cluster ${JSON.stringify(cluster)} is not a cluster of the selected pairs; clusters: ${clusters.join(', ') || '(none)'}`,
      );
    selected = selected.filter((p) => p.cluster.name === cluster);
  }
  if (!selected.length) {
    throw new UsageError(
      'eks-access: no selected pair has a cluster in CONFIG_MAP mode, so there is nothing to apply (with API or API_AND_CONFIG_MAP, AMP creates the access entry itself); name a pair with --pair to print it anyway',
    );
  }
  const notes = selected
    .filter((p) => p.cluster.authenticationMode !== 'CONFIG_MAP')
    .map(
      (p) =>
        `eks-access: note: cluster ${p.cluster.name} (pair ${p.name}) is in ${p.cluster.authenticationMode} mode: AMP creates its access entry, this is not needed there`,
    );
  return { pairs: selected, notes };
}

export async function eksAccessOutput(pairs: PairPlan[], mode: 'rbac' | 'aws-auth', lookup: ScraperRoleLookup): Promise<EksAccessOutput> {
  if (mode === 'rbac') return { yaml: collectorRbacManifest(), notes: [] };
  const clusters = [...new Set(pairs.map((p) => p.cluster.arn))];
  if (clusters.length > 1) {
    // Each cluster has its own aws-auth: entries for another cluster's scrapers do not belong in it.
    throw new UsageError(
      `eks-access: --aws-auth: the selected pairs are on ${clusters.length} clusters (${[...new Set(pairs.map((p) => p.cluster.name))].join(', ')}); choose one with --cluster or --pair`,
    );
  }
  const roleArns: string[] = [];
  for (const pair of pairs) {
    const live = await lookup(pair);
    const arn = pathFreeRoleArn(live);
    if (!ROLE_ARN.test(arn)) throw new Error(`pair ${pair.name}: the scraper's role ARN is not an IAM role ARN: ${untrusted(live)}`);
    roleArns.push(arn);
  }
  return {
    yaml: awsAuthMapRoles(roleArns),
    notes: [`eks-access: add these entries to mapRoles of ConfigMap aws-auth in kube-system on cluster ${pairs[0].cluster.name}`],
  };
}
