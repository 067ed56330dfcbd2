/**
 * Generates a valid fleet config with `pairs` pairs, for benchmarks and scale tests: clusters spread evenly
 * over source accounts (default ceil(pairs / 10): AMP's default quota is 10 scrapers per account and region),
 * each scraped into one of a few workspaces (one per 50 pairs) in one target account. Every account is reached
 * by assume-role into its `amp-xa-deployer` role.
 * Usage: generate-fleet.ts <pairs> [--source-accounts N]
 */
import { asksForHelp } from '../lib/cli-options';
import type { FleetConfigInput } from '../lib/config/schema';

export const TARGET_ACCOUNT_ID = '900000000000';
export const REGION = 'eu-west-1';
export const DEPLOYER_ROLE = 'amp-xa-deployer';

export interface FleetOptions {
  /** Number of source (cluster) accounts; default ceil(pairs / 10). */
  sourceAccounts?: number;
  /** Real workspace ARNs to use (e.g. created in moto first); default placeholders. Count sets the workspace count. */
  workspaceArns?: string[];
}

export const defaultSourceAccounts = (pairs: number) => Math.max(1, Math.ceil(pairs / 10));
export const workspaceCount = (pairs: number) => Math.max(1, Math.ceil(pairs / 50));
export const sourceAccountId = (index: number) => String(100000000000 + index);

function account(id: string): FleetConfigInput['accounts'][string] {
  return { id, region: REGION, credentials: { assumeRoleArn: `arn:aws:iam::${id}:role/${DEPLOYER_ROLE}` } };
}

export function generateFleet(pairs: number, options: FleetOptions = {}): FleetConfigInput {
  const sourceAccounts = Math.min(pairs, options.sourceAccounts ?? defaultSourceAccounts(pairs));
  const accounts: FleetConfigInput['accounts'] = { observability: account(TARGET_ACCOUNT_ID) };
  const clusters: FleetConfigInput['clusters'] = {};
  const workspaces: FleetConfigInput['workspaces'] = {};
  const fleetPairs: FleetConfigInput['pairs'] = [];
  const workspaceArns =
    options.workspaceArns ??
    Array.from(
      { length: workspaceCount(pairs) },
      (_, w) => `arn:aws:aps:${REGION}:${TARGET_ACCOUNT_ID}:workspace/ws-${String(w).padStart(8, '0')}-0000-0000-0000-000000000000`,
    );
  workspaceArns.forEach((arn, w) => (workspaces[`ws-${w}`] = { account: 'observability', arn }));
  for (let i = 0; i < pairs; i++) {
    // Contiguous, near-equal blocks: exactly `sourceAccounts` accounts.
    const accountIndex = Math.floor((i * sourceAccounts) / pairs);
    const accountName = `workload-${accountIndex}`;
    const accountId = sourceAccountId(accountIndex);
    accounts[accountName] ??= account(accountId);
    const cluster = `cluster-${i}`;
    const hex = i.toString(16).padStart(8, '0');
    clusters[cluster] = {
      account: accountName,
      arn: `arn:aws:eks:${REGION}:${accountId}:cluster/${cluster}`,
      subnetIds: [`subnet-${hex}`, `subnet-${(i + 0x10000000).toString(16).padStart(8, '0')}`],
    };
    fleetPairs.push({ name: `pair-${i}`, cluster, workspace: `ws-${i % workspaceArns.length}` });
  }
  return { accounts, clusters, workspaces, pairs: fleetPairs, finalizer: { resource: 'terraform_data' } };
}

/** A command-line count, or exit 2 with a message naming what was wrong. */
export function wholeNumber(tool: string, what: string, text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || text === '' || !Number.isInteger(n) || n < 1) {
    console.error(`${tool}: ${what} must be a whole number of at least 1, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

const USAGE = 'usage: node -r ./scripts/register.js scripts/generate-fleet.ts [pairs (default 10)] [--source-accounts N]';

if (require.main === module && asksForHelp(process.argv.slice(2))) {
  console.log(`${USAGE}\n  Prints a generated, valid fleet config of that many pairs (for benchmarks and tests).`);
} else if (require.main === module) {
  const args = process.argv.slice(2);
  let pairsText: string | undefined;
  let sourceAccounts: number | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--source-accounts') sourceAccounts = wholeNumber('generate-fleet', '--source-accounts', args[++i]);
    else if (args[i].startsWith('-')) {
      console.error(`generate-fleet: unknown option ${args[i]}; ${USAGE}`);
      process.exit(2);
    } else if (pairsText === undefined) pairsText = args[i];
    else {
      console.error(`generate-fleet: unexpected argument ${JSON.stringify(args[i])}; ${USAGE}`);
      process.exit(2);
    }
  }
  const n = wholeNumber('generate-fleet', 'the pair count', pairsText ?? '10');
  process.stdout.write(`${JSON.stringify(generateFleet(n, { sourceAccounts }), null, 2)}\n`);
}
