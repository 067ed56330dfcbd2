/**
 * Is the process that took a state lock still running? Terraform records the lock's holder as user@host. On this
 * host, a holder is alive only if a Terraform process still works in the stack's directory (Linux /proc: the
 * executable's name and the working directory of every process we may read); elsewhere it cannot be told from here.
 */
import { readdirSync, readlinkSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Holder, LockInfo } from './hints';

/** Terraform processes working in `dir`; undefined where processes cannot be seen (no /proc). */
export function terraformProcessesIn(dir: string): number[] | undefined {
  const wanted = path.resolve(dir);
  const pids: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  for (const pid of entries) {
    try {
      if (!/terraform/.test(path.basename(readlinkSync(`/proc/${pid}/exe`)))) continue;
      if (path.resolve(readlinkSync(`/proc/${pid}/cwd`)) === wanted) pids.push(Number(pid));
    } catch {
      /* gone meanwhile, or another user's */
    }
  }
  return pids;
}

export function lockHolder(lock: LockInfo, stackDir: string, hostname = os.hostname()): Holder {
  const host = lock.who?.split('@').pop() ?? '';
  if (host && host !== hostname) return { kind: 'elsewhere', host };
  const pids = terraformProcessesIn(stackDir);
  // Without /proc, "gone" would be a guess: say it cannot be checked, as for another host.
  if (pids === undefined) return { kind: 'elsewhere', host: host || 'this machine (its processes cannot be listed)' };
  return pids.length ? { kind: 'running-here', pids } : { kind: 'gone-here' };
}
