/**
 * What `npm run deploy`/`destroy` say after a failed or interrupted run: the next command for what an interrupted
 * deploy left behind (a stale lock, a scraper AMP is still deleting, a half-done apply).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { loadFleetConfig } from '../config/load';
import { fleetStackNames } from '../config/plan';
import { deletingHint, lockHint, stateLocks } from './hints';
import { lockHolder, terraformProcessesIn } from './holder';
import { readStackRuns, stackRunReport } from './terraform-log';

const ROOT = path.join(__dirname, '..', '..');

/** The fleet's stack names; none when the config changed meanwhile and no longer loads (hints then go without them). */
function stackNames(): string[] {
  try {
    return fleetStackNames(loadFleetConfig());
  } catch {
    return [];
  }
}

/** What to run next when a deploy failed on what an interrupted one left behind. */
export function failureHints(output: string, outdir: string): string[] {
  if (!output) return [];
  const stacks = stackNames();
  const hints = stateLocks(output, stacks).map((lock) => lockHint(lock, outdir, lockHolder(lock, path.join(outdir, 'stacks', lock.stack ?? ''))));
  const deleting = deletingHint(output);
  return deleting ? [...hints, deleting] : hints;
}

/**
 * After a Ctrl-C (or a CI runner's SIGTERM): cdktf reports only "The operation was aborted", and Terraform may have
 * stopped in the middle of an apply (a scraper created and tainted, a lock left). So the wrapper asks the read-only
 * recover report what that left, per pair, and says the next command. A second Ctrl-C stops the report too.
 */
export function reportInterruption(command: string, signal: NodeJS.Signals, terraformLogs: string | undefined, outdir: string): void {
  // cdktf can end before the Terraform it started has written its state: wait for those (a minute at most).
  const stacks = stackNames();
  const stackDirs = stacks.map((stack) => path.join(outdir, 'stacks', stack));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && stackDirs.some((dir) => (terraformProcessesIn(dir) ?? []).length > 0))
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  console.error(`amp-xa: ${command} interrupted (${signal}); Terraform was told to stop what it was applying.`);
  if (terraformLogs) for (const line of stackRunReport(readStackRuns(terraformLogs, stacks))) console.error(line);
  console.error('amp-xa: what it left (npm run recover, read-only):');
  const report = spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'recover.ts')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
    timeout: 10 * 60_000,
  });
  if (report.status === 0) console.error(`amp-xa: nothing is half-done in AWS: run npm run ${command} again to finish`);
  else if (report.status === 2)
    console.error(`amp-xa: run what is named above (npm run recover -- --apply keeps what was created), then npm run ${command} again`);
  else console.error(`amp-xa: the report did not finish; run npm run status, then npm run recover, before npm run ${command} again`);
}
