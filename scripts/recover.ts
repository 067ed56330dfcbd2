/**
 * `npm run recover [-- [--apply] [--pair NAME]... | --delete-scraper ID]`: after an interrupted deploy, finds per
 * pair what AWS has and the unit's phase-1 state lacks, and brings it under management (lib/recovery/).
 * Exit codes: 0 nothing to recover (or done), 2 something to recover (without --apply), 1 error.
 */
import { parseOptions, selectPairs, UsageError } from '../lib/cli-options';
import { loadFleetConfig } from '../lib/config/load';
import { ConfigError } from '../lib/config/fleet';
import { needsRecovery, recoveryAdvice } from '../lib/recovery/plan';
import { applyImports, deleteUntrackedScraper, findRecoveries, RecoveryError } from '../lib/recovery/recover';
import * as path from 'path';
import { lockHint, stateLocks } from '../lib/recovery/hints';
import { lockHolder } from '../lib/recovery/holder';
import { TerraformError } from '../lib/recovery/terraform';
import { AccountPool } from '../lib/status/aws';
import { untrusted } from '../lib/status/text';
import { synthesizedAppDir } from '../lib/stack-dirs';

const USAGE = `usage: npm run recover [-- [--apply] [--pair NAME]... | --delete-scraper ID]
  After an interrupted deploy: compares, per pair, the scrapers and roles AWS has (found by alias, cluster and role
  name, with the config's credentials) with what the unit's phase-1 state tracks (terraform state pull in
  <app>/stacks/<unit>-scrapers, <app> being cdktf.json's output, else cdktf.out: run npm run synth first). Only
  resources tagged managed-by=amp-xa and amp-xa:pair=<pair> are ever imported or deleted.
  (no option)           say what is untracked and what to run; changes nothing
  --apply               import the untracked scraper (when state has none for the pair) and roles into their stack
                        (terraform import); then npm run deploy pins both trusts and changes nothing else
  --delete-scraper ID   delete one untracked duplicate scraper (refused for the scraper state tracks, or one that
                        is not amp-xa's)
  --pair NAME           only this pair (repeatable)
exit: 0 nothing to recover (or recovered), 2 something to recover, 1 error`;

async function main(argv: string[]): Promise<number> {
  const options = parseOptions('recover', argv, {
    apply: { type: 'boolean' },
    'delete-scraper': { type: 'string' },
    pair: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  });
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options.apply && options['delete-scraper']) throw new UsageError('recover: --apply and --delete-scraper do one thing each; run them one after the other');
  const fleet = loadFleetConfig();
  const pairs = selectPairs('recover', fleet, options.pair as string[] | undefined);
  const pool = new AccountPool();
  const say = (line: string) => process.stdout.write(`${untrusted(line, 2000)}\n`);
  try {
    const ctx = { fleet, pool, outdir: synthesizedAppDir(), env: process.env };
    const recoveries = await findRecoveries(ctx, pairs);
    const deleteId = options['delete-scraper'] as string | undefined;
    if (deleteId) {
      say(await deleteUntrackedScraper(ctx, recoveries, deleteId));
      return 0;
    }
    const pending = recoveries.filter(needsRecovery);
    if (!pending.length) {
      say(`nothing to recover: AWS holds no amp-xa scraper or role of the ${recoveries.length} pair(s) that their state lacks`);
      return 0;
    }
    if (options.apply) {
      const imported = await applyImports(ctx, pending, say);
      const left = (
        await findRecoveries(
          ctx,
          pending.map((r) => fleet.pairs.find((p) => p.name === r.pair)!),
        )
      ).filter(needsRecovery);
      for (const r of left) for (const line of recoveryAdvice(r)) say(`pair ${r.pair}: ${line}`);
      say(imported ? `recovered ${imported} resource(s); next: npm run deploy (phase 2 pins both trusts to the kept scrapers)` : 'nothing to import');
      return left.length ? 2 : 0;
    }
    for (const r of pending) for (const line of recoveryAdvice(r)) say(`pair ${r.pair}: ${line}`);
    return 2;
  } finally {
    pool.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    if (e instanceof UsageError) console.error(`${e.message}\n${USAGE}`);
    else if (e instanceof ConfigError || e instanceof RecoveryError) console.error(untrusted(e.message, 4000));
    else if (e instanceof TerraformError) {
      for (const line of e.message.split('\n')) console.error(untrusted(line, 2000));
      // A lock an interrupted deploy left: say how to release it, as the deploy wrapper does.
      const dir = /^terraform \S+ in (\S+) failed/.exec(e.message)?.[1];
      for (const lock of dir ? stateLocks(e.message, []) : [])
        console.error(untrusted(lockHint({ ...lock, stack: path.basename(dir!) }, synthesizedAppDir(), lockHolder(lock, dir!)), 2000));
    } else console.error(`recover: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
