/**
 * The two outputs of `npm run status`: a table per pair for people, and a JSON document for machines. Both go
 * through `safeReport` first: every string (AWS's status reasons, names, error messages and documents among
 * them) is escaped and bounded by `untrusted`, so nothing AWS returns reaches a terminal raw. No colour codes.
 */
import type { CheckState, PairReport, StatusReport } from './model';
import { untrusted } from './text';

/** Bound of one printed value (a summary or detail line, a status reason). */
export const MAX_FIELD_LENGTH = 400;

/** JSON output format version: bumped when a field changes meaning or goes away. */
export const STATUS_FORMAT_VERSION = 1;

function deepClean<T>(value: T): T {
  if (typeof value === 'string') return untrusted(value, MAX_FIELD_LENGTH) as T;
  if (Array.isArray(value)) return value.map(deepClean) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepClean(v)])) as T;
  return value;
}

export function safeReport(report: StatusReport): StatusReport {
  return deepClean(report);
}

export function renderJson(report: StatusReport): string {
  const safe = safeReport(report);
  return `${JSON.stringify({ version: STATUS_FORMAT_VERSION, health: safe.health, exitCode: safe.exitCode, pairs: safe.pairs }, null, 2)}\n`;
}

const STATE_LABEL: Record<CheckState, string> = { ok: 'ok', problem: 'PROBLEM', unknown: 'unknown', error: 'ERROR' };

/** A check not read because its account's credentials failed: the account's problem is printed once, above. */
const notRead = (accounts: readonly string[]) => `not read: account${accounts.length === 1 ? '' : 's'} ${accounts.join(', ')} (above)`;

function renderPair(pair: PairReport): string[] {
  const heading = `pair ${pair.pair}: ${pair.health} (source ${pair.sourceAccount} -> target ${pair.targetAccount}, ${pair.region})`;
  const accounts = [...new Set(pair.checks.map((c) => c.unreadableAccount?.name))];
  if (pair.checks.length && !accounts.includes(undefined)) return [`${heading}: ${notRead(accounts as string[])}`];
  const rows = pair.checks.map(
    (c) => [c.check, STATE_LABEL[c.state], c.unreadableAccount ? notRead([c.unreadableAccount.name]) : c.summary, c.details] as const,
  );
  const w1 = Math.max('CHECK'.length, ...rows.map((r) => r[0].length));
  const w2 = Math.max('STATE'.length, ...rows.map((r) => r[1].length));
  const indent = ' '.repeat(2 + w1 + 2 + w2 + 2 + 2);
  const lines = [heading];
  if (pair.scraper) lines.push(`  scraper ${pair.scraper.arn} ${pair.scraper.status}${pair.scraper.statusReason ? `: ${pair.scraper.statusReason}` : ''}`);
  lines.push(`  ${'CHECK'.padEnd(w1)}  ${'STATE'.padEnd(w2)}  SUMMARY`);
  for (const [check, state, summary, details] of rows) {
    lines.push(`  ${check.padEnd(w1)}  ${state.padEnd(w2)}  ${summary}`);
    for (const d of details) lines.push(`${indent}${d}`);
  }
  return lines;
}

export function renderTable(report: StatusReport): string {
  const safe = safeReport(report);
  const count = (h: string) => safe.pairs.filter((p) => p.health === h).length;
  const n = safe.pairs.length;
  // An account whose credentials fail makes every read there fail the same way: said once, before the pairs.
  const accounts = new Map<string, string>();
  for (const c of safe.pairs.flatMap((p) => p.checks)) if (c.unreadableAccount) accounts.set(c.unreadableAccount.name, c.unreadableAccount.problem);
  const lines = accounts.size ? [...accounts.values(), ''] : [];
  for (const p of safe.pairs) {
    const rendered = renderPair(p);
    lines.push(...rendered);
    if (rendered.length > 1) lines.push('');
  }
  lines.push(
    `${n} pair${n === 1 ? '' : 's'}: ${count('healthy')} healthy, ${count('degraded')} degraded, ${count('error')} unreadable -> ${safe.health} (exit ${safe.exitCode})`,
  );
  return `${lines.join('\n')}\n`;
}
