/**
 * `npm run status [-- --json] [--pair NAME]...`: reads every pair's live state with the config's credentials
 * and says, per pair, whether it is as amp-xa makes it (see lib/status/checks.ts). Read-only.
 * Exit codes: 0 healthy, 2 degraded (some pair is not right), 1 error (bad option or config, or AWS unreadable).
 */
import { parseOptions, selectPairs, UsageError } from '../lib/cli-options';
import { loadFleetConfig } from '../lib/config/load';
import { ConfigError, type PairPlan } from '../lib/config/fleet';
import { noteStateFailure, recoveryRead, TrackedStates } from '../lib/recovery/recover';
import { AccountPool } from '../lib/status/aws';
import { untrusted } from '../lib/status/text';
import { pairReport, statusReport } from '../lib/status/checks';
import { readScraper, SnapshotReader } from '../lib/status/fetch';
import { removedPairReports } from '../lib/status/removed';
import type { PairReport } from '../lib/status/model';
import { synthesizedAppDir } from '../lib/stack-dirs';
import { renderJson, renderTable } from '../lib/status/render';

const STATUS_USAGE = `usage: npm run status [-- [--json] [--pair NAME]...]
  Reads each pair's scraper, roles, policies and EKS cluster with the config's credentials (AMP_XA_CONFIG), and
  compares them with the phase-1 state (terraform state pull in <app>/stacks/<unit>-scrapers when synthesized,
  <app> being cdktf.json's output, else cdktf.out); without --pair it also lists what that state still tracks of
  pairs removed from the config.
  --json       print a JSON document instead of tables
  --pair NAME  only this pair (repeatable)
exit: 0 healthy, 2 degraded (some pair is not right), 1 error (bad option or config, or AWS could not be read)`;

/** A few pairs at a time: each pair's reads already run in parallel. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions('status', argv, { json: { type: 'boolean' }, pair: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } });
  if (options.help) {
    process.stdout.write(`${STATUS_USAGE}\n`);
    return 0;
  }
  const fleet = loadFleetConfig();
  const pairs: PairPlan[] = selectPairs('status', fleet, options.pair as string[] | undefined);
  const pool = new AccountPool();
  try {
    const reader = new SnapshotReader(pool);
    const states = new TrackedStates({ outdir: synthesizedAppDir(), env: process.env });
    const notes = { failed: new Map<string, string>() };
    const reports: PairReport[] = await mapLimited(pairs, 4, async (pair) => {
      const snapshot = await reader.read(pair);
      const recovery = await recoveryRead(states, pair, snapshot, notes);
      return pairReport(pair, recovery ? { ...snapshot, recovery } : snapshot);
    });
    // A pair removed from the config that a state still tracks (an interrupted removal): only when all pairs are asked for.
    if (!options.pair) {
      const stacks = fleet.units.map((u) => u.scraperStackName).filter((stack) => states.readableStack(stack) !== undefined);
      reports.push(
        ...(await removedPairReports(stacks, new Set(fleet.pairs.map((p) => p.name)), fleet.accounts, {
          tracked: (stack) => states.tracked(stack).catch((e: unknown) => void noteStateFailure(notes, stack, e)),
          scraper: (account, scraperId) => readScraper(pool.for(account), scraperId),
        })),
      );
    }
    const report = statusReport(reports);
    // A stack not synthesized or initialized here is not compared, silently: status stays a pure AWS read there
    // (the state check is documented as shown where the stacks are set up, e.g. after a deploy or npm run diff).
    for (const [stack, why] of notes.failed)
      console.error(untrusted(`status: cannot read the state of ${stack}, so untracked scrapers and roles are not checked: ${why}`, 2000));
    process.stdout.write(options.json ? renderJson(report) : renderTable(report));
    // An unreadable state leaves the picture incomplete, as an unreadable account does.
    return notes.failed.size ? 1 : report.exitCode;
  } finally {
    pool.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    if (e instanceof UsageError) console.error(`${e.message}\n${STATUS_USAGE}`);
    else if (e instanceof ConfigError) console.error(e.message);
    else console.error(`status: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
