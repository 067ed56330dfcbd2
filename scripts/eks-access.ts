/**
 * `npm run --silent eks-access -- [--pair NAME]... [--cluster NAME] [--aws-auth]`: YAML for CONFIG_MAP clusters
 * on stdout, nothing else (notes and errors on stderr, no colours), ready for `| kubectl apply -f -`:
 * the aps-collector RBAC manifest, or with --aws-auth the aws-auth mapRoles entries (live scraper roles).
 * Exit: 0 printed, 1 bad option or config, nothing to print, or a scraper that cannot be read.
 */
import { parseOptions, selectPairs, UsageError } from '../lib/cli-options';
import { loadFleetConfig } from '../lib/config/load';
import { ConfigError, type PairPlan } from '../lib/config/fleet';
import { eksAccessOutput, eksAccessPairs } from '../lib/eks-access-output';
import { AccountPool } from '../lib/status/aws';
import { findScrapers } from '../lib/status/fetch';
import { untrusted } from '../lib/status/text';

const USAGE = `usage: npm run --silent eks-access -- [--pair NAME]... [--cluster NAME] [--aws-auth]
  default     the ClusterRole aps-collector-role and its ClusterRoleBinding (pipe into kubectl apply -f -)
  --aws-auth  the aws-auth mapRoles entries for the selected pairs' scrapers (one cluster; reads AMP)
  --pair      only this pair (repeatable; default: every pair whose cluster is in CONFIG_MAP mode)
  --cluster   only the pairs of this cluster`;

async function scraperRole(pair: PairPlan, pool: AccountPool): Promise<string> {
  const read = await findScrapers(pair, pool);
  if (read.state !== 'found') throw new Error(`pair ${pair.name}: cannot read its scraper: ${untrusted(read.detail)}`);
  if (read.value.length !== 1)
    throw new Error(
      `pair ${pair.name}: ${read.value.length} scrapers match alias ${pair.alias} and cluster ${pair.cluster.arn}; expected one (npm run status says more)`,
    );
  const roleArn = read.value[0].roleArn;
  if (!roleArn)
    throw new Error(`pair ${pair.name}: scraper ${untrusted(read.value[0].scraperId)} has no role ARN yet (status ${untrusted(read.value[0].statusCode)})`);
  return roleArn;
}

async function main(argv: string[]): Promise<void> {
  const options = parseOptions('eks-access', argv, {
    pair: { type: 'string', multiple: true },
    cluster: { type: 'string' },
    'aws-auth': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const fleet = loadFleetConfig();
  const named = options.pair as string[] | undefined;
  const { pairs, notes } = eksAccessPairs(selectPairs('eks-access', fleet, named), !!named?.length, options.cluster as string | undefined);
  const pool = new AccountPool();
  try {
    const output = await eksAccessOutput(pairs, options['aws-auth'] ? 'aws-auth' : 'rbac', (pair) => scraperRole(pair, pool));
    for (const note of [...notes, ...output.notes]) process.stderr.write(`${note}\n`);
    process.stdout.write(output.yaml);
  } finally {
    pool.destroy();
  }
}

main(process.argv.slice(2)).catch((e) => {
  if (e instanceof UsageError) process.stderr.write(`${e.message}\n${USAGE}\n`);
  else if (e instanceof ConfigError) process.stderr.write(`${e.message}\n`);
  else process.stderr.write(`eks-access: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
