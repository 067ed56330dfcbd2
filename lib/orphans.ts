/**
 * Orphaned states: a state whose stack is no longer in the app still holds whatever that stack created
 * (scrapers, roles, workspaces), and no deploy will ever touch it again. This module maps state names back
 * to stacks and says, for each orphan, where it is and how to destroy it. Pure except localOrphans()
 * (one readdir, for the synth); scripts/ci/plan-all.ts lists S3 keys and Terraform Cloud workspaces.
 *
 * State names per backend (lib/backend.ts): local `<directory>/terraform.<stack>.tfstate`, S3
 * `<keyPrefix>/<stack>.tfstate`, Terraform Cloud workspace `<workspacePrefix><stack>`.
 */
import { existsSync, readdirSync } from 'fs';
import * as path from 'path';
import type { BackendConfig } from './config/schema';

/** A state that exists in the backend. `resources` is the number of resources it holds, when known. */
export interface ExistingState {
  readonly stack: string;
  readonly resources?: number;
}

export interface OrphanFinding {
  /** The stack the state belonged to. */
  readonly stack: string;
  /** Where the state is: a path, an s3:// URL, or a Terraform Cloud workspace. */
  readonly location: string;
  /** What the stack was: a unit's phase 1 or 2, a created workspace, or not a stack this version makes. */
  readonly kind: 'scrapers' | 'trust' | 'workspace' | 'unknown';
  /** True when the state is known to hold no resources: nothing runs, only the state is left. */
  readonly empty: boolean;
  /** What to do about it. */
  readonly action: string;
  /** One printable line: stack, location and action. */
  readonly line: string;
}

/** The stack a local state file belongs to (`terraform.<stack>.tfstate`), or undefined for other files (backups, locks). */
export function stackOfLocalStateFile(file: string): string | undefined {
  return /^terraform\.([^/]+)\.tfstate$/.exec(file)?.[1];
}

/** The stack an S3 key under `<keyPrefix>/` belongs to; undefined for other keys (lock files, nested keys). */
export function stackOfS3Key(keyPrefix: string, key: string): string | undefined {
  if (!key.startsWith(`${keyPrefix}/`)) return undefined;
  return /^([^/]+)\.tfstate$/.exec(key.slice(keyPrefix.length + 1))?.[1];
}

/** The stack a Terraform Cloud workspace belongs to (`<workspacePrefix><stack>`). */
export function stackOfCloudWorkspace(workspacePrefix: string, workspace: string): string | undefined {
  return workspace.startsWith(workspacePrefix) && workspace.length > workspacePrefix.length ? workspace.slice(workspacePrefix.length) : undefined;
}

/** Where a stack's state lives, printable. */
export function stateLocation(backend: BackendConfig, stack: string): string {
  switch (backend.type) {
    case 'local':
      return path.join(backend.directory, `terraform.${stack}.tfstate`);
    case 's3':
      return `s3://${backend.bucket}/${backend.keyPrefix}/${stack}.tfstate`;
    case 'cloud':
      return `Terraform Cloud workspace ${backend.workspacePrefix}${stack} (https://${backend.hostname}/app/${backend.organization}/workspaces/${backend.workspacePrefix}${stack})`;
  }
}

function removeStateCommand(backend: BackendConfig, stack: string): string {
  switch (backend.type) {
    case 'local':
      return `rm ${stateLocation(backend, stack)}`;
    case 's3':
      return `aws s3 rm ${stateLocation(backend, stack)}`;
    case 'cloud':
      return `delete workspace ${backend.workspacePrefix}${stack} in Terraform Cloud (Settings > Destruction and Deletion)`;
  }
}

/**
 * What a stack name says it was. `-scraper` (singular) and a `-trust` state next to one are the former
 * two-stacks-per-pair layout, which the current app cannot destroy.
 */
function classify(stack: string, allStates: Set<string>): { kind: OrphanFinding['kind']; name: string } {
  let m = /^(.+)-scrapers$/.exec(stack);
  if (m) return { kind: 'scrapers', name: m[1] };
  m = /^(.+)-trust$/.exec(stack);
  if (m && !allStates.has(`${m[1]}-scraper`)) return { kind: 'trust', name: m[1] };
  m = /^(.+)-workspace$/.exec(stack);
  if (m) return { kind: 'workspace', name: m[1] };
  return { kind: 'unknown', name: stack };
}

function destroyAction(kind: OrphanFinding['kind'], name: string, stack: string): string {
  const keptDir = `terraform -chdir=<that stack's synthesized directory, e.g. an old cdktf.out/stacks/${stack}> destroy`;
  switch (kind) {
    case 'scrapers':
    case 'trust':
      return (
        `it holds what unit "${name}" had (${kind === 'scrapers' ? 'phase 1: scrapers and roles' : 'phase 2: trust finalizers'}): no account names that unit any more ` +
        `(or it is an amp-xa 0.2 per-account unit); to keep what it holds, give its accounts "movedFrom": "${name}" (the next deploy imports their pairs ` +
        `into their unit, nothing is replaced); to destroy it, put an account with "unit": "${name}" and no clusters back in the config ` +
        `(the unit's stacks come back, empty), run npm run deploy (the empty stacks destroy what the state holds), then remove that account`
      );
    case 'workspace':
      return (
        `it holds the AMP workspace "${name}" amp-xa created; to destroy it, put workspace "${name}" (with its create block) back in the config, ` +
        `run npx cdktf destroy ${stack}, then remove it; or, if you kept its synthesized directory, ${keptDir}`
      );
    case 'unknown':
      return (
        `not a stack this version of amp-xa creates (the former per-pair layout?); to destroy it, check out the version that created it and run ` +
        `npx cdktf destroy ${stack}, or ${keptDir}`
      );
  }
}

/**
 * Every existing state whose stack is not in the app, with where it is and how to destroy it.
 * `states` are stack names (or ExistingState with a resource count) found in the backend.
 */
export function findOrphans(backend: BackendConfig, appStackNames: readonly string[], states: ReadonlyArray<string | ExistingState>): OrphanFinding[] {
  const inApp = new Set(appStackNames);
  const existing = states.map((s) => (typeof s === 'string' ? { stack: s } : s));
  const all = new Set(existing.map((s) => s.stack));
  return existing
    .filter((s) => !inApp.has(s.stack))
    .sort((a, b) => a.stack.localeCompare(b.stack))
    .map((s) => {
      const { kind, name } = classify(s.stack, all);
      const location = stateLocation(backend, s.stack);
      const empty = s.resources === 0;
      const action = empty ? `it holds no resources; remove it: ${removeStateCommand(backend, s.stack)}` : destroyAction(kind, name, s.stack);
      return { stack: s.stack, location, kind, empty, action, line: `orphaned state of stack ${s.stack} (no longer in the app) at ${location}: ${action}` };
    });
}

/**
 * For the synth, local backend only: one readdir of the state directory, one line per state file whose
 * stack is not in the app (print each as a warning). A missing directory means no state yet: no lines.
 * Resource counts are not read here (that would read every file), so an emptied state is reported too.
 */
export function localOrphans(directory: string, appStackNames: string[]): string[] {
  let files: string[];
  try {
    files = readdirSync(directory);
  } catch {
    return [];
  }
  const states = files.map(stackOfLocalStateFile).filter((s): s is string => s !== undefined);
  return findOrphans({ type: 'local', directory }, appStackNames, states).map((f) => f.line);
}

/**
 * Local states of this fleet's stacks where amp-xa put them before each fleet had its own folder
 * (`<directory>/terraform.<stack>.tfstate`, relative to the working directory), with no state at the new place:
 * a deploy would not see them and would try to create what they hold again. One line per state, with the move.
 */
export function legacyLocalStates(configuredDirectory: string, fleetDirectory: string, appStackNames: string[]): string[] {
  const lines: string[] = [];
  for (const stack of appStackNames) {
    const old = path.join(configuredDirectory, `terraform.${stack}.tfstate`);
    const now = path.join(fleetDirectory, `terraform.${stack}.tfstate`);
    if (path.resolve(old) === path.resolve(now) || !existsSync(old) || existsSync(now)) continue;
    lines.push(
      `state of stack ${stack} found at ${old}, where amp-xa kept it before each fleet had its own state folder; this fleet's state is now ${now}. ` +
        `If it is this fleet's state, move it (nothing in AWS changes): mkdir -p ${shellQuote(fleetDirectory)} && mv ${shellQuote(old)} ${shellQuote(now)}; ` +
        `if it belongs to another fleet config in this checkout, run a synth of that config first (it reports the same move for its folder)`,
    );
  }
  return lines;
}

function shellQuote(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
