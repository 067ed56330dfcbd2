/** plan-all's results: per-stack counts, the summary and its exit code, the Markdown report for a PR comment. */
import type { OrphanFinding } from '../orphans';

export interface Counts {
  add: number;
  change: number;
  destroy: number;
  replace: number;
  /** Resources imported (adoption), whether or not they also change. */
  import: number;
  /** Resources moved to a new address without other changes (`moved` blocks). */
  move: number;
  /** Resources Terraform stops managing without destroying them (`removed` blocks): they keep running, unmanaged. */
  forget: number;
  /** terraform_data / null_resource being created or replaced: each runs its local-exec (phase 2's trust update). */
  finalizerRuns: number;
  /**
   * Scrapers being created or replaced: each gets a new ARN, which the trust stack that depends on this one pins
   * (phase 2) once this stack is applied. Its plan cannot show those finalizer runs yet: it reads the ARNs from
   * this stack's state, which does not have them.
   */
  newScrapers: number;
  outputChanges: number;
  /** Addresses being destroyed, replaced or forgotten, for reviewers (a replaced scraper loses about 20 minutes of metrics). */
  destroyed: string[];
  replaced: string[];
  forgotten: string[];
}

/** terraform_data / null_resource: creating or replacing one runs its local-exec (phase 2's trust update). */
export const FINALIZER_TYPES: ReadonlySet<string> = new Set(['terraform_data', 'null_resource']);

/** The phase-1 resource whose ARN phase 2 pins. */
export const SCRAPER_TYPE = 'aws_prometheus_scraper';

export function emptyCounts(): Counts {
  return {
    add: 0,
    change: 0,
    destroy: 0,
    replace: 0,
    import: 0,
    move: 0,
    forget: 0,
    finalizerRuns: 0,
    newScrapers: 0,
    outputChanges: 0,
    destroyed: [],
    replaced: [],
    forgotten: [],
  };
}

export type StackResult = 'no-changes' | 'changes' | 'error';

export interface StackSummary extends Partial<Counts> {
  name: string;
  dependencies: string[];
  result: StackResult;
  /** terraform plan's exit code (0, 2, or an error), or null when init failed or it never ran. */
  planExitCode: number | null;
  errors: string[];
  log: string;
  /** The saved plan (`terraform apply <plan>` applies exactly it), or null. */
  plan: string | null;
  seconds: number;
  /**
   * Phase 2 waiting for phase 1: the pairs whose new scrapers the stacks this one depends on create (or replace)
   * in this plan, so this stack pins their trust during the deploy, after those stacks are applied.
   */
  pendingPhase1?: { pairs: number; after: string[] };
}

export interface UntrackedFinding {
  readonly pair: string;
  readonly stack: string;
  /** What is untracked and the command that fixes it (recoveryAdvice). */
  readonly lines: string[];
}

export interface UntrackedReport {
  /** False when the check could not be made; `note` says why. */
  readonly checked: boolean;
  readonly note?: string;
  readonly findings: UntrackedFinding[];
}

/** The untracked check (untracked.ts) did not run. */
export const NOT_CHECKED: UntrackedReport = { checked: false, note: 'not run', findings: [] };

export interface OrphanReport {
  /** False when the backend could not be listed; `note` says why. */
  checked: boolean;
  note?: string;
  findings: OrphanFinding[];
}

export interface Summary {
  version: 1;
  result: 'no-changes' | 'changes' | 'error';
  exitCode: 0 | 1 | 2;
  concurrency: number;
  totals: Counts & { stacks: number; changed: number; failed: number; orphans: number; pendingPairs: number; untrackedPairs: number };
  stacks: StackSummary[];
  orphans: OrphanReport;
  /** Scrapers and roles in AWS that no state tracks (untracked.ts); each finding makes the exit code 2. */
  untracked: UntrackedReport;
  /** Set when synth or the manifest failed (then `stacks` is empty). */
  error?: string;
}

/** The exit code contract: any error 1; else changes or orphans holding resources 2; else 0. */
export function exitCodeOf(stacks: StackSummary[], orphans: OrphanReport, error?: string, untracked: UntrackedReport = NOT_CHECKED): 0 | 1 | 2 {
  if (error || stacks.some((s) => s.result === 'error')) return 1;
  if (stacks.some((s) => s.result === 'changes') || orphans.findings.some((f) => !f.empty) || untracked.findings.length) return 2;
  return 0;
}

/** Each stack's pairs pending phase 1: the new scrapers of the stacks it depends on (the trust stack's scraper stack). */
export function withPendingPhase1(stacks: StackSummary[]): StackSummary[] {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  return stacks.map((s) => {
    const after = s.dependencies.filter((d) => (byName.get(d)?.newScrapers ?? 0) > 0);
    const pairs = after.reduce((n, d) => n + byName.get(d)!.newScrapers!, 0);
    return pairs ? { ...s, pendingPhase1: { pairs, after } } : s;
  });
}

/** `2 pairs pending phase 1 (a-scrapers)`: what phase 2 will pin once phase 1 is applied. */
export function pendingText(p: { pairs: number; after: string[] }): string {
  return `phase 2 pending phase 1: pins the trust of ${p.pairs} pair${p.pairs === 1 ? '' : 's'} to their new scrapers once ${p.after.join(', ')} ${p.after.length === 1 ? 'is' : 'are'} applied`;
}

/**
 * The failed stacks' errors, each error once with the stacks it stopped: missing credentials fail every stack
 * that reaches the account, with only the provider block named differently (`(with provider[...].target,)`).
 */
export function errorGroups(stacks: readonly StackSummary[]): { error: string; stacks: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const s of stacks.filter((s) => s.result === 'error')) {
    for (const error of new Set((s.errors.length ? s.errors : ['failed (see its log)']).map((e) => e.replace(/ \(with [^)]*\)$/, '')))) {
      groups.set(error, [...(groups.get(error) ?? []), s.name]);
    }
  }
  return [...groups].map(([error, names]) => ({ error, stacks: names }));
}

export function summarize(
  concurrency: number,
  planned: StackSummary[],
  orphans: OrphanReport,
  error?: string,
  untracked: UntrackedReport = NOT_CHECKED,
): Summary {
  const stacks = withPendingPhase1(planned);
  const exitCode = exitCodeOf(stacks, orphans, error, untracked);
  const totals = emptyCounts();
  for (const s of stacks) {
    for (const k of ['add', 'change', 'destroy', 'replace', 'import', 'move', 'forget', 'finalizerRuns', 'newScrapers', 'outputChanges'] as const)
      totals[k] += s[k] ?? 0;
    totals.destroyed.push(...(s.destroyed ?? []).map((a) => `${s.name}: ${a}`));
    totals.replaced.push(...(s.replaced ?? []).map((a) => `${s.name}: ${a}`));
    totals.forgotten.push(...(s.forgotten ?? []).map((a) => `${s.name}: ${a}`));
  }
  return {
    version: 1,
    result: exitCode === 1 ? 'error' : exitCode === 2 ? 'changes' : 'no-changes',
    exitCode,
    concurrency,
    totals: {
      ...totals,
      stacks: stacks.length,
      changed: stacks.filter((s) => s.result === 'changes').length,
      failed: stacks.filter((s) => s.result === 'error').length,
      orphans: orphans.findings.filter((f) => !f.empty).length,
      pendingPairs: stacks.reduce((n, s) => n + (s.pendingPhase1?.pairs ?? 0), 0),
      untrackedPairs: untracked.findings.length,
    },
    stacks,
    orphans,
    untracked,
    ...(error ? { error } : {}),
  };
}

const MARKER = '<!-- amp-xa plan-all -->';
const code = (text: string) => '`' + text.replace(/`/g, "'") + '`';

/** The PR comment: headline, one row per stack, errors, destroyed/replaced resources, orphans. Under GitHub's 65536 characters. */
export function renderMarkdown(summary: Summary): string {
  const t = summary.totals;
  const headline =
    summary.exitCode === 1
      ? ':x: **amp-xa plan failed**'
      : summary.exitCode === 2
        ? ':warning: **amp-xa plan: changes pending**'
        : ':white_check_mark: **amp-xa plan: no changes**';
  const out = [MARKER, headline, ''];
  if (summary.error) out.push('```', summary.error.slice(0, 4000), '```', '');
  if (summary.stacks.length) {
    out.push(
      `${t.stacks} stacks: ${t.changed} with changes, ${t.failed} failed. ` +
        `${t.import ? `${t.import} to import, ` : ''}${t.add} to add, ${t.change} to change, ${t.replace} to replace, ${t.destroy} to destroy` +
        `${t.forget ? `, ${t.forget} to forget (left running, unmanaged)` : ''}${t.move ? `, ${t.move} to move` : ''}; ${t.finalizerRuns} finalizer run${t.finalizerRuns === 1 ? '' : 's'}` +
        `${t.pendingPairs ? ` now, and phase 2 pins the trust of ${t.pendingPairs} pair${t.pendingPairs === 1 ? '' : 's'} once phase 1 is applied` : ''}.`,
      '',
      '| stack | result | add | change | replace | destroy | import | finalizer runs |',
      '|---|---|--:|--:|--:|--:|--:|--:|',
    );
    for (const s of summary.stacks) {
      const result = s.result === 'error' ? ':x: error' : s.result === 'changes' ? 'changes' : 'no changes';
      const n = (k: keyof Counts) => (s.result === 'error' ? '' : String(s[k] ?? 0));
      const runs = s.pendingPhase1 && s.result !== 'error' ? `${n('finalizerRuns')} now, ${s.pendingPhase1.pairs} pair(s) after phase 1` : n('finalizerRuns');
      out.push(`| ${code(s.name)} | ${result} | ${n('add')} | ${n('change')} | ${n('replace')} | ${n('destroy')} | ${n('import')} | ${runs} |`);
    }
    out.push('');
  }
  const errors = errorGroups(summary.stacks);
  if (errors.length) {
    out.push('#### Errors', '');
    for (const g of errors) out.push(`- ${code(g.error.slice(0, 300))}: ${g.stacks.map(code).join(', ')}`);
    out.push('');
  }
  const gone = [...t.replaced.map((a) => `replace ${a}`), ...t.destroyed.map((a) => `destroy ${a}`), ...t.forgotten.map((a) => `forget ${a}`)];
  if (gone.length) {
    out.push('#### Replaced, destroyed or forgotten', '', ...gone.slice(0, 50).map((g) => `- ${code(g)}`));
    if (gone.length > 50) out.push(`- … and ${gone.length - 50} more`);
    out.push('');
  }
  const o = summary.orphans;
  if (o.findings.length) {
    out.push('#### Orphaned states', '', 'States whose stack is no longer in the app; no deploy will touch what they hold.', '');
    for (const f of o.findings.slice(0, 50)) out.push(`- ${code(f.stack)} at ${code(f.location)}: ${f.action}`);
    out.push('');
  }
  if (!o.checked) out.push(`Orphaned states: not checked (${o.note}).`, '');
  const u = summary.untracked;
  if (u.findings.length) {
    out.push('#### In AWS, not in state', '', 'Left by an interrupted deploy: no plan shows them, and they keep running.', '');
    for (const f of u.findings.slice(0, 50)) out.push(`- pair ${code(f.pair)} (${code(f.stack)}): ${f.lines.join(' ')}`);
    out.push('');
  }
  if (!u.checked && summary.stacks.length) out.push(`Untracked scrapers and roles: not checked (${u.note}).`, '');
  out.push('Full plans: the job log, one group per stack.');
  const text = out.join('\n') + '\n';
  return text.length > 60000 ? text.slice(0, 60000) + '\n\n… (truncated; see the job log)\n' : text;
}
