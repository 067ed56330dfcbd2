/**
 * Reads `terraform plan -json` (Terraform's machine-readable UI, one JSON message per line): the counts plan-all
 * reports, and a log a person can read. Reading the stream instead of `terraform show -json <plan>` saves a second
 * Terraform process per stack, which loads the AWS provider's schema again (about 3.5 s of CPU each).
 */
import { FINALIZER_TYPES, SCRAPER_TYPE, emptyCounts, type Counts } from './report';

interface PlannedChange {
  action?: string;
  importing?: unknown;
  resource?: { addr?: string; resource?: string; resource_type?: string };
}

/** A diagnostic rendered like Terraform's human output, so `errorLines` reads both the same way. */
function renderDiagnostic(d: any): string {
  const severity = d?.severity === 'warning' ? 'Warning' : 'Error';
  const lines = ['', `${severity}: ${d?.summary ?? ''}`, ''];
  if (d?.address) lines.push(`  with ${d.address},`);
  if (d?.range?.filename) lines.push(`  on ${d.range.filename} line ${d.range.start?.line ?? '?'}:`);
  if (d?.detail) lines.push('', String(d.detail));
  return lines.join('\n') + '\n';
}

export interface PlanStream {
  counts: Counts;
  /** Every message as Terraform would have printed it (diagnostics in its human layout); non-JSON lines as they came. */
  text: string;
  /**
   * Whether the stream had Terraform's change summary and the counts agree with it. Not so for a Terraform Cloud
   * run on an agent or remote runner (the cloud backend prints the plan as text, without the change messages):
   * then the counts come from the saved plan (`countSavedPlan`).
   */
  complete: boolean;
}

/**
 * Counts the planned changes of a `terraform plan -json` stream. A replacement counts once, as replace; data
 * sources (reads) are not changes; drift Terraform merely reports is not a change; an import counts as import
 * besides whatever else the resource does; finalizer runs are terraform_data / null_resource creates or replaces.
 */
export function readPlanStream(stream: string): PlanStream {
  const counts = emptyCounts();
  const text: string[] = [];
  let summary: { add?: number; change?: number; remove?: number } | undefined;
  for (const line of stream.split('\n')) {
    if (!line.trim()) continue;
    const message = parseMessage(line);
    if (message === undefined || message === null) {
      text.push(line + '\n');
      continue;
    }
    text.push(message.type === 'diagnostic' ? renderDiagnostic(message.diagnostic) : `${message['@message'] ?? line}\n`);
    if (message.type === 'planned_change') count(counts, message.change ?? {});
    if (message.type === 'change_summary') summary = message.changes ?? {};
    if (message.type === 'outputs') {
      for (const output of Object.values<any>(message.outputs ?? {})) if (output?.action && output.action !== 'noop') counts.outputChanges++;
    }
  }
  // Terraform counts a replacement as one add and one remove.
  const complete =
    summary !== undefined &&
    summary.add === counts.add + counts.replace &&
    summary.change === counts.change &&
    summary.remove === counts.destroy + counts.replace + counts.forget;
  return { counts, text: text.join(''), complete };
}

/**
 * A line of the stream parsed, or undefined when it is not JSON (text Terraform printed as is). A JSON value that is
 * not a message (a number, `null`) has no type or `@message`, so it is printed as its line too.
 */
function parseMessage(line: string): any {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function count(counts: Counts, change: PlannedChange): void {
  const address = change.resource?.addr ?? '';
  // `resource` is the address within its module, so a data source in a module is recognised too.
  if ((change.resource?.resource ?? address).startsWith('data.')) return;
  if (change.importing || change.action === 'import') counts.import++;
  switch (change.action) {
    case 'create':
      counts.add++;
      break;
    case 'update':
      counts.change++;
      break;
    case 'replace':
      counts.replace++;
      counts.replaced.push(address);
      break;
    case 'delete':
      counts.destroy++;
      counts.destroyed.push(address);
      break;
    case 'remove':
      counts.forget++;
      counts.forgotten.push(address);
      break;
    case 'move':
      counts.move++;
      break;
  }
  if (change.action === 'create' || change.action === 'replace') {
    if (FINALIZER_TYPES.has(change.resource?.resource_type ?? '')) counts.finalizerRuns++;
    if (change.resource?.resource_type === SCRAPER_TYPE) counts.newScrapers++;
  }
}

/**
 * Counts a saved plan as `terraform show -json` prints it (the fallback when the stream is incomplete), the same
 * way as `readPlanStream`.
 */
export function countSavedPlan(plan: any): Counts {
  const counts = emptyCounts();
  for (const rc of plan?.resource_changes ?? []) {
    if (rc.mode === 'data') continue;
    const actions: string[] = rc.change?.actions ?? [];
    const action =
      actions.includes('create') && actions.includes('delete')
        ? 'replace'
        : actions.includes('create')
          ? 'create'
          : actions.includes('update')
            ? 'update'
            : actions.includes('delete')
              ? 'delete'
              : actions.includes('forget')
                ? 'remove'
                : rc.previous_address && rc.previous_address !== rc.address
                  ? 'move'
                  : 'noop';
    count(counts, { action, importing: rc.change?.importing, resource: { addr: rc.address, resource: rc.address, resource_type: rc.type } });
  }
  for (const change of Object.values<any>(plan?.output_changes ?? {})) {
    if ((change?.actions ?? []).some((a: string) => a !== 'no-op')) counts.outputChanges++;
  }
  return counts;
}

/** Each Terraform error's summary line, with the object it concerns (`with …`) when given; else the output's last lines. */
export function errorLines(output: string, max = 5): string[] {
  const lines = output.split('\n').map((l) => l.replace(/^[│╷╵]\s?/, '').trimEnd());
  const errors: string[] = [];
  for (let i = 0; i < lines.length && errors.length < max; i++) {
    if (!/^Error: /.test(lines[i])) continue;
    const about = lines.slice(i + 1, i + 5).find((l) => /^\s+with /.test(l));
    const error = about ? `${lines[i]} (${about.trim()})` : lines[i];
    if (!errors.includes(error)) errors.push(error);
  }
  if (errors.length) return errors;
  return lines.filter((l) => l.trim()).slice(-max);
}
