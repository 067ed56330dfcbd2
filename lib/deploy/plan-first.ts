/**
 * The deploy's plan-first step. cdktf deploy runs its stacks' `terraform init`s one after another, then plans and
 * applies each stack once those it depends on are applied: on a fleet with nothing to change (the deploy after
 * every merge) it pays phase 1's plan, then phase 2's, in sequence, plus cdktf-cli's own orchestration. Once every
 * stack of the app has been deployed, `npm run deploy` first plans them all side by side (plan-all's machinery,
 * holding each state's lock as an apply would) and stops there when none has a change. Any change, failed plan or
 * stack never deployed: cdktf deploy runs as before, on the app already synthesized.
 *
 * Why a no-change plan of every stack means the deploy would change nothing: the stacks read each other only
 * through state (terraform_remote_state), and a stack without changes leaves its state's outputs as they are, so
 * each plan saw what it would see in cdktf's order.
 */
import { mkdirSync } from 'fs';
import * as path from 'path';
import type { Stopper } from '../plan-all/exec';
import { rememberOtherInit } from '../plan-all/init-stamp';
import { planStack, unplannedStack } from '../plan-all/plan-stack';
import type { StackSummary } from '../plan-all/report';
import { inDependencyOrder, readManifest } from '../plan-all/schedule';
import { runSynth } from '../plan-all/synth';

export type PlanFirst =
  | { readonly result: 'no-changes'; readonly stacks: string[] }
  /** cdktf deploy is to run; `synthesized`: the app in outdir is current (cdktf may --skip-synth). */
  | { readonly result: 'deploy'; readonly why: string; readonly synthesized: boolean }
  | { readonly result: 'interrupted' };

export interface PlanFirstOptions {
  readonly outdir: string;
  readonly concurrency: number;
  /** Where each stack's plan log goes. */
  readonly logs: string;
  /** Stopped: the plans are told to stop (each releases its lock) and none starts after. */
  readonly stopper?: Stopper;
}

/** A line of Terraform's output for the terminal: no control characters (it may quote config values). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
const printable = (line: string) => line.replace(/[\u0000-\u001f\u007f]/g, '?');

/** Why cdktf deploy is still needed, from the plans (pure). */
export function planFirstVerdict(plans: readonly StackSummary[]): PlanFirst {
  const failed = plans.filter((p) => p.result === 'error').map((p) => p.name);
  if (failed.length) return { result: 'deploy', why: `the plan of ${failed.join(', ')} failed (cdktf deploy shows why)`, synthesized: true };
  const changed = plans.filter((p) => p.result === 'changes').map((p) => p.name);
  if (changed.length) return { result: 'deploy', why: `changes in ${changed.join(', ')}`, synthesized: true };
  return { result: 'no-changes', stacks: plans.map((p) => p.name) };
}

export async function planFirst(options: PlanFirstOptions, env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<PlanFirst> {
  const synth = await runSynth(options, env);
  if (options.stopper?.stopped) return { result: 'interrupted' };
  // cdktf deploy synthesizes again and reports what failed, as it always has.
  if (synth.code !== 0) return { result: 'deploy', why: 'synth failed', synthesized: false };
  // What the app says while it synthesizes (a local state whose stack left the app): as cdktf would show it.
  if (synth.output.trim()) print(synth.output.trimEnd());
  let stacks: ReturnType<typeof readManifest>;
  try {
    stacks = readManifest(options.outdir);
  } catch (e) {
    return { result: 'deploy', why: `the synthesized app cannot be read (${(e as Error).message})`, synthesized: false };
  }
  // Loaded only here: the S3 client takes a while to load, and a failed synth never needs it.
  const { deployedStacks } = await import('../plan-all/states');
  const { deployed, note } = await deployedStacks(stacks, env);
  if (!deployed) return { result: 'deploy', why: `the states cannot be listed (${note})`, synthesized: true };
  const first = stacks.filter((s) => !deployed.has(s.name)).map((s) => s.name);
  if (first.length) return { result: 'deploy', why: `not deployed yet: ${first.join(', ')}`, synthesized: true };

  mkdirSync(options.logs, { recursive: true });
  print(`amp-xa: planning the ${stacks.length} stacks side by side first (a deploy with no changes ends there)`);
  const tfEnv: NodeJS.ProcessEnv = { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: env.CHECKPOINT_DISABLE ?? '1' };
  const plans = new Map<string, StackSummary>();
  await inDependencyOrder(
    stacks.map((s) => ({ name: s.name, dependencies: [] })),
    options.concurrency,
    async (name) => {
      const stack = stacks.find((s) => s.name === name)!;
      const plan = await planStack(stack, { logs: options.logs, lock: true, stopper: options.stopper }, env.TERRAFORM_BINARY_NAME || 'terraform', tfEnv).catch(
        (e) => unplannedStack(name, [], e),
      );
      plans.set(name, plan);
      const result =
        plan.result === 'error' ? `plan failed${plan.errors[0] ? `: ${printable(plan.errors[0])}` : ''}` : plan.result === 'changes' ? 'changes' : 'no changes';
      print(`amp-xa:   ${name}: ${result} (${plan.seconds} s)`);
    },
    () => undefined, // no dependencies given: no cycle
  );
  if (options.stopper?.stopped) return { result: 'interrupted' };
  return planFirstVerdict(stacks.map((s) => plans.get(s.name)!));
}

/** The plan logs' directory for an outdir. */
export const planFirstLogs = (outdir: string) => path.join(outdir, 'deploy-plan-logs');

/**
 * After a cdktf deploy of every stack exited 0: cdktf ran `terraform init` in each stack's directory of the app it
 * deployed, so the next deploy's plan-first (and plan-all) skip theirs. Returns the stacks stamped; an unreadable
 * manifest stamps none (the next plan inits, as without the stamp).
 */
export function rememberDeployedInits(outdir: string, env: NodeJS.ProcessEnv): string[] {
  let stacks: ReturnType<typeof readManifest>;
  try {
    stacks = readManifest(outdir);
  } catch {
    return [];
  }
  return stacks.filter((s) => rememberOtherInit(s.workingDirectory, env)).map((s) => s.name);
}
