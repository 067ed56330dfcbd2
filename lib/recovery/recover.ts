/**
 * `npm run recover`: per pair, what AWS has against what its unit's phase-1 state tracks (plan.ts), then the
 * imports (`--apply`) or a named duplicate's deletion (`--delete-scraper`). Reads AWS with the status readers and
 * the state with Terraform itself, so every backend works as it does in a deploy.
 */
import { DeleteScraperCommand } from '@aws-sdk/client-amp';
import type { FleetPlan, PairPlan } from '../config/fleet';
import { unitStackNames } from '../config/plan';
import type { AccountPool } from '../status/aws';
import { SnapshotReader } from '../status/fetch';
import type { LiveRole, PairSnapshot, Read } from '../status/model';
import { pairRecovery, type PairRecovery } from './plan';
import type { RecoveryRead } from '../status/state-check';
import { importResource, importVariables, isInitialized, pullState, stackDirectory, synthesizedStack, untaintResource } from './terraform';
import { pairAddresses, trackedResources, type TrackedResource } from './tracked';

export class RecoveryError extends Error {}
/** cdktf.out was synthesized from another config: its stacks say nothing about this one's pairs. */
export class StaleSynthError extends RecoveryError {}

const value = <T>(read: Read<T>, what: string): T | undefined => {
  if (read.state === 'error') throw new RecoveryError(`cannot read ${what}: ${read.detail}`);
  return read.state === 'found' ? read.value : undefined;
};

export interface RecoveryContext {
  readonly fleet: FleetPlan;
  readonly pool: AccountPool;
  readonly outdir: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A pair's recovery from its status snapshot (reads that failed throw: recovery needs the whole picture). */
export type RecoverySnapshot = Pick<PairSnapshot, 'scrapers' | 'sourceRole' | 'targetRole'>;

export function recoveryOf(pair: PairPlan, stack: string, snapshot: RecoverySnapshot, tracked: readonly TrackedResource[], stackJson: unknown): PairRecovery {
  const live = {
    scrapers: value(snapshot.scrapers, `the scrapers of pair ${pair.name}`) ?? [],
    sourceRole: value<LiveRole>(snapshot.sourceRole, `role ${pair.sourceRoleName} in ${pair.source.id}`),
    targetRole: value<LiveRole>(snapshot.targetRole, `role ${pair.targetRoleName} in ${pair.target.id}`),
  };
  const addresses = pairAddresses(stackJson, pair.name);
  if (!addresses.scraper)
    throw new StaleSynthError(`the synthesized ${stack} has no scraper for pair ${pair.name}: it was synthesized from another config (run npm run synth)`);
  return pairRecovery(pair, stack, live, tracked, addresses);
}

/** The unit's phase-1 state as tracked resources, once per stack; undefined when the stack is not synthesized. */
export class TrackedStates {
  private readonly states = new Map<string, Promise<TrackedResource[]>>();
  constructor(private readonly ctx: Pick<RecoveryContext, 'outdir' | 'env'>) {}
  stackJson(stack: string): unknown | undefined {
    return synthesizedStack(this.ctx.outdir, stack);
  }
  initialized(stack: string): boolean {
    return isInitialized(stackDirectory(this.ctx.outdir, stack), this.ctx.env);
  }
  /** The synthesized stack when its state can be pulled here without `terraform init` (status never runs it). */
  readableStack(stack: string): unknown | undefined {
    const json = this.stackJson(stack);
    return json !== undefined && this.initialized(stack) ? json : undefined;
  }
  /** Reads the stack's state again on the next `tracked`. */
  forget(stack: string): void {
    this.states.delete(stack);
  }
  tracked(stack: string): Promise<TrackedResource[]> {
    if (!this.states.has(stack)) this.states.set(stack, pullState(stackDirectory(this.ctx.outdir, stack), this.ctx.env).then(trackedResources));
    return this.states.get(stack)!;
  }
}

/** Every selected pair's recovery, reading each unit's state once. */
export async function findRecoveries(ctx: RecoveryContext, pairs: readonly PairPlan[]): Promise<PairRecovery[]> {
  const states = new TrackedStates(ctx);
  const reader = new SnapshotReader(ctx.pool);
  const out: PairRecovery[] = [];
  for (const pair of pairs) {
    const stack = unitStackNames(pair.source.unit).scraperStackName;
    const json = states.stackJson(stack);
    if (json === undefined) throw new RecoveryError(`stack ${stack} is not synthesized in ${ctx.outdir}: run npm run synth first (with this config)`);
    const [tracked, snapshot] = await Promise.all([states.tracked(stack), reader.read(pair)]);
    out.push(recoveryOf(pair, stack, snapshot, tracked, json));
  }
  return out;
}

export async function applyImports(ctx: RecoveryContext, recoveries: readonly PairRecovery[], say: (line: string) => void): Promise<number> {
  let count = 0;
  const variables = new Map<string, string[]>();
  const variablesOf = (stack: string) => variables.get(stack) ?? variables.set(stack, importVariables(synthesizedStack(ctx.outdir, stack))).get(stack)!;
  for (const r of recoveries) {
    for (const u of r.untaints) {
      await untaintResource(stackDirectory(ctx.outdir, r.stack), u.address, ctx.env);
      say(`pair ${r.pair}: untainted ${u.what.replace(/, tainted in state\)$/, ')')} in ${r.stack}: the next deploy keeps it`);
      count++;
    }
    for (const i of r.imports) {
      await importResource(stackDirectory(ctx.outdir, r.stack), i.address, i.id, ctx.env, variablesOf(r.stack));
      say(`pair ${r.pair}: imported ${i.what} into ${r.stack} as ${i.address}`);
      count++;
    }
  }
  return count;
}

/** Deletes one untracked amp-xa scraper of a configured pair; anything else is refused with the reason. */
export async function deleteUntrackedScraper(ctx: RecoveryContext, recoveries: readonly PairRecovery[], scraperId: string): Promise<string> {
  for (const r of recoveries) {
    if (r.trackedScraper === scraperId)
      throw new RecoveryError(
        `scraper ${scraperId} is the one the state of ${r.stack} tracks for pair ${r.pair}: not deleted (remove the pair from the config and deploy to delete it)`,
      );
    const pair = ctx.fleet.pairs.find((p) => p.name === r.pair)!;
    const candidate = [...r.duplicates.map((s) => s.scraperId), ...r.imports.filter((i) => i.address.startsWith('aws_prometheus_scraper.')).map((i) => i.id)];
    if (!candidate.includes(scraperId)) continue;
    await ctx.pool.for(pair.source).amp.send(new DeleteScraperCommand({ scraperId }));
    return `pair ${r.pair}: deleting untracked scraper ${scraperId} in ${pair.source.id} (AMP shows it DELETING for a few minutes)`;
  }
  throw new RecoveryError(`scraper ${scraperId} is not an untracked amp-xa scraper of a configured pair (run npm run recover to list them): not deleted`);
}

/** Stacks whose state Terraform could not read, once per stack (printed once, not once per pair): exit 1. */
export interface StateNotes {
  readonly failed: Map<string, string>;
}

/** Notes that a stack's state could not be read, with the first lines of Terraform's error. */
export function noteStateFailure(notes: StateNotes, stack: string, e: unknown): void {
  notes.failed.set(stack, (e as Error).message.split('\n').slice(0, 12).join(' '));
}

/**
 * For status: the pair's recovery, or undefined (no check) when it cannot be computed: the stack is not synthesized
 * or initialized here (status never runs terraform init), its state could not be read (noted once per stack in `notes`),
 * or an AWS read failed (the check that made it reports it). Never throws.
 */
export async function recoveryRead(states: TrackedStates, pair: PairPlan, snapshot: PairSnapshot, notes: StateNotes): Promise<RecoveryRead | undefined> {
  const stack = unitStackNames(pair.source.unit).scraperStackName;
  const json = states.readableStack(stack);
  if (json === undefined) return undefined;
  let tracked: TrackedResource[];
  try {
    tracked = await states.tracked(stack);
  } catch (e) {
    return void noteStateFailure(notes, stack, e);
  }
  try {
    return { state: 'found', value: recoveryOf(pair, stack, snapshot, tracked, json) };
  } catch (e) {
    if (e instanceof StaleSynthError) return { state: 'unknown', detail: e.message };
    return undefined;
  }
}
