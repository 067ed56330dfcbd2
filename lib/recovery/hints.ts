/**
 * What to run after a deploy that an interruption left stuck, read from cdktf's output (pure): a state lock left by
 * a process that is gone, and a scraper AMP is still deleting. Each hint names the stack and the exact command.
 */
import * as path from 'path';

// Built from its code: a literal ESC in a regular expression reads as a mistake (and the linter says so).
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');
const plain = (text: string) => text.replace(ANSI, '');

export interface LockInfo {
  readonly stack?: string;
  readonly id: string;
  readonly who?: string;
  readonly created?: string;
}

/** Terraform's "Error acquiring the state lock" blocks, with the stack whose output line carried it. */
export function stateLocks(output: string, stacks: readonly string[]): LockInfo[] {
  const locks: LockInfo[] = [];
  const text = plain(output);
  for (const m of text.matchAll(/Error acquiring the state lock/g)) {
    const block = text.slice(m.index, m.index + 2500);
    const field = (name: string) => new RegExp(`${name}:[ \\t]+([^\\n│]*\\S)`).exec(block)?.[1];
    const id = field('ID');
    if (!id || locks.some((l) => l.id === id)) continue;
    // cdktf starts each of a stack's output chunks with the stack's name: the nearest one before the error.
    const before = text.slice(0, m.index);
    let stack: string | undefined;
    let at = -1;
    for (const s of stacks) {
      const i = before.lastIndexOf(`\n${s} `);
      if (i > at) {
        at = i;
        stack = s;
      }
    }
    locks.push({ id, ...(stack ? { stack } : {}), ...(field('Who') ? { who: field('Who') } : {}), ...(field('Created') ? { created: field('Created') } : {}) });
  }
  return locks;
}

/**
 * Whether the lock's holder can still be running, as far as this machine can tell: a holder on this host is alive
 * only if some Terraform process here works in the stack's directory; one on another host cannot be checked here.
 */
export type Holder =
  { readonly kind: 'running-here'; readonly pids: readonly number[] } | { readonly kind: 'gone-here' } | { readonly kind: 'elsewhere'; readonly host: string };

export function lockHint(lock: LockInfo, outdir: string, holder: Holder): string {
  const stack = lock.stack ?? '<stack>';
  const dir = path.join(outdir, 'stacks', stack);
  const unlock = `terraform -chdir=${dir} force-unlock -force ${lock.id}`;
  const held = `state of ${stack} is locked (lock ${lock.id}${lock.who ? `, by ${lock.who}` : ''}${lock.created ? ` since ${lock.created}` : ''})`;
  switch (holder.kind) {
    case 'running-here':
      return `amp-xa: the ${held} by a Terraform process still running here (pid ${holder.pids.join(', ')}): let it finish, then deploy again; do not unlock it`;
    case 'gone-here':
      return `amp-xa: the ${held}, and no Terraform process on this machine works in ${dir}: the deploy that took it was killed. Release it with: ${unlock} (then deploy again; npm run status says whether it left scrapers or roles untracked)`;
    case 'elsewhere':
      return `amp-xa: the ${held} on host ${holder.host}: if no deploy of this fleet runs there (its CI job ended or was cancelled), release it with: ${unlock}, then deploy again`;
  }
}

/** The provider's 409 for a scraper AMP is already deleting (an interrupted deploy started the delete). */
export function deletingHint(output: string): string | undefined {
  const m = /(s-[0-9a-f-]{8,})[^\n]*\n?[^\n]*?(?:already being deleted|is DELETING)/.exec(plain(output));
  if (!m && !/ConflictException[\s\S]{0,400}already being deleted/.test(output)) return undefined;
  const id = m?.[1];
  return `amp-xa: AMP is still deleting scraper${id ? ` ${id}` : ''} (a deploy that was interrupted started it). Wait until npm run status no longer shows it DELETING (a few minutes), then deploy again: the deploy finishes the removal`;
}
