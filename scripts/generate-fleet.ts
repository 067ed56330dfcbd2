/**
 * Generates a valid fleet config with `pairs` pairs, for benchmarks and scale tests: clusters spread over
 * source accounts at most 10 per account (AMP's default quota), each scraped into one of a few workspaces.
 */
import type { FleetConfigInput } from '../lib/config/schema';

export function generateFleet(pairs: number): FleetConfigInput {
  const region = 'eu-west-1';
  const accounts: FleetConfigInput['accounts'] = {
    observability: { id: '900000000000', region, credentials: { assumeRoleArn: 'arn:aws:iam::900000000000:role/amp-xa-deployer' } },
  };
  const clusters: FleetConfigInput['clusters'] = {};
  const workspaces: FleetConfigInput['workspaces'] = {};
  const fleetPairs: FleetConfigInput['pairs'] = [];
  const workspaceCount = Math.max(1, Math.ceil(pairs / 50));
  for (let w = 0; w < workspaceCount; w++) {
    workspaces[`ws-${w}`] = { account: 'observability', arn: `arn:aws:aps:${region}:900000000000:workspace/ws-${String(w).padStart(8, '0')}-0000-0000-0000-000000000000` };
  }
  for (let i = 0; i < pairs; i++) {
    const accountIndex = Math.floor(i / 10);
    const accountName = `workload-${accountIndex}`;
    const accountId = String(100000000000 + accountIndex);
    accounts[accountName] ??= { id: accountId, region, credentials: { assumeRoleArn: `arn:aws:iam::${accountId}:role/amp-xa-deployer` } };
    const cluster = `cluster-${i}`;
    const hex = i.toString(16).padStart(8, '0');
    clusters[cluster] = {
      account: accountName,
      arn: `arn:aws:eks:${region}:${accountId}:cluster/${cluster}`,
      subnetIds: [`subnet-${hex}`, `subnet-${(i + 0x10000000).toString(16).padStart(8, '0')}`],
    };
    fleetPairs.push({ name: `pair-${i}`, cluster, workspace: `ws-${i % workspaceCount}` });
  }
  return { accounts, clusters, workspaces, pairs: fleetPairs, finalizer: { resource: 'terraform_data' } };
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 10);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`generate-fleet: the pair count must be a whole number of at least 1, got ${JSON.stringify(process.argv[2])}`);
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(generateFleet(n), null, 2)}\n`);
}
