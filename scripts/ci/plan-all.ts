/**
 * Plans every stack of the synthesized app, concurrently in dependency order, and reports orphaned states.
 *
 *   node -r ./scripts/register.js scripts/ci/plan-all.ts [options]     (npm run diff -- [options]; scripts/ci/diff-all.sh)
 *
 * For each stack of cdktf.out/manifest.json, started in dependency order, in its directory: `terraform init`
 * (skipped when .terraform is current, lib/plan-all/init-stamp.ts), `terraform plan -json -detailed-exitcode -out`
 * counted from its stream, and for a stack with changes `terraform show` of the saved plan into its log.
 * At most --concurrency stacks at a time. Terraform is run directly (cdktf diff takes one stack and is slow),
 * so offline runners need TF_CLI_CONFIG_FILE (scripts/offline-terraform.sh) and the lock files
 * scripts/lock-providers.sh copies; `terraform providers lock` is never run.
 *
 * After the plans, each pair's scrapers and roles are read with the config's credentials and compared with its
 * unit's state (lib/plan-all/untracked.ts): what an interrupted deploy left in AWS untracked no plan shows.
 *
 * Exit code: 0 = no changes anywhere; 2 = changes pending, an orphaned state (a state whose stack is no
 * longer in the app: it still holds resources no deploy will touch), or a scraper or role in AWS no state tracks; 1 = a stack failed to init or plan,
 * synth failed, or bad options. Writes a JSON summary and a Markdown report (PR comment) built from it.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { StackGates } from '../../lib/plan-all/gates';
import { planStack, unplannedStack } from '../../lib/plan-all/plan-stack';
import { runSynth } from '../../lib/plan-all/synth';
import {
  errorGroups,
  pendingText,
  summarize,
  renderMarkdown,
  type OrphanReport,
  type StackSummary,
  type Summary,
  type UntrackedReport,
} from '../../lib/plan-all/report';
import { orphanReport } from '../../lib/plan-all/states';
import { parseOptions, UsageError, USAGE, type Options } from '../../lib/plan-all/options';
import { inDependencyOrder, readManifest, type ManifestStack } from '../../lib/plan-all/schedule';

function write(summary: Summary, options: Options, env: NodeJS.ProcessEnv): void {
  for (const file of [options.summary, options.markdown]) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(options.summary, JSON.stringify(summary, null, 2) + '\n');
  const markdown = renderMarkdown(summary);
  writeFileSync(options.markdown, markdown);
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdown);
}

export async function planAll(
  options: Options,
  env: NodeJS.ProcessEnv = process.env,
  print: (text: string) => void = (t) => process.stdout.write(t),
): Promise<Summary> {
  const github = env.GITHUB_ACTIONS === 'true';
  if (options.synth) {
    print(`plan-all: cdktf synth\n`);
    const synth = await runSynth(options, env);
    if (synth.code !== 0) {
      const summary = summarize(
        options.concurrency,
        [],
        { checked: false, note: 'synth failed', findings: [] },
        `cdktf synth failed (exit ${synth.code}):\n${synth.output.slice(-4000)}`,
      );
      write(summary, options, env);
      print(`${synth.output}\nplan-all: cdktf synth failed (exit ${synth.code})\n`);
      return summary;
    }
  }
  let stacks: ManifestStack[];
  try {
    stacks = readManifest(options.outdir);
  } catch (e) {
    const summary = summarize(
      options.concurrency,
      [],
      { checked: false, note: 'no manifest', findings: [] },
      `cannot read ${path.join(options.outdir, 'manifest.json')}: ${(e as Error).message}`,
    );
    write(summary, options, env);
    print(`plan-all: ${summary.error}; run cdktf synth first\n`);
    return summary;
  }
  mkdirSync(options.logs, { recursive: true });
  const terraform = env.TERRAFORM_BINARY_NAME || 'terraform';
  const tfEnv: NodeJS.ProcessEnv = { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: env.CHECKPOINT_DISABLE ?? '1' };
  print(`plan-all: ${stacks.length} stack${stacks.length === 1 ? '' : 's'}, ${options.concurrency} at a time, started in dependency order\n`);

  const results = new Map<string, StackSummary>();
  const orphansPromise = orphanReport(stacks, env).catch(
    (e) => ({ checked: false, note: `orphan check failed: ${(e as Error).message}`, findings: [] }) as OrphanReport,
  );
  // Beside the plans: each pair's reads start once its stack is initialized (the plan's init makes its state read as
  // Terraform reads it), so the check adds nothing after the last plan but its last reads.
  const gates = new StackGates(stacks.map((s) => s.name));
  const untrackedPromise: Promise<UntrackedReport> = options.untracked
    ? // Loaded only here: the AWS SDK clients take a while to load, and --skip-untracked never needs them.
      import('../../lib/plan-all/untracked')
        .then((m) => m.untrackedReport(options.outdir, tfEnv, gates, 4))
        .catch((e): UntrackedReport => ({ checked: false, note: (e as Error).message, findings: [] }))
    : Promise.resolve({ checked: false, note: 'skipped (--skip-untracked)', findings: [] });
  // A plan reads the other stacks' state, never their plans: a stack need not wait for its dependencies' plans to
  // finish. Stacks start in dependency order (the manifest's), up to the concurrency, and run side by side, so
  // plan-all costs about the slowest stack instead of the longest chain.
  await inDependencyOrder(
    stacks.map((s) => ({ name: s.name, dependencies: [] })),
    options.concurrency,
    async (name) => {
      const stack = stacks.find((s) => s.name === name)!;
      const result = await planStack(stack, { ...options, onInitialized: () => gates.markInitialized(name) }, terraform, tfEnv).catch((e) =>
        unplannedStack(name, stack.dependencies, e),
      );
      results.set(name, result);
      gates.markPlanned(name, result.result !== 'error');
      const counts =
        result.result === 'error'
          ? `error: ${result.errors[0] ?? ''}`
          : `${result.result === 'changes' ? 'changes' : 'no changes'} (+${result.add} ~${result.change} ±${result.replace} -${result.destroy}${result.import ? ` import ${result.import}` : ''})`;
      const body = result.log && existsSync(result.log) ? readFileSync(result.log, 'utf8') : '';
      // One write per stack, so concurrent plans never interleave in the job log. A failed stack's errors are
      // said once, in the summary, grouped across stacks; its full log stays in its file (and in the CI group).
      if (github) print(`::group::plan ${name}: ${counts}\n${body}\n::endgroup::\n`);
      else print(result.result === 'error' ? `=== plan ${name}: error (below)\n` : `\n=== plan ${name}: ${counts}\n${body}`);
    },
    (cycle) => {
      for (const name of cycle) {
        results.set(name, {
          name,
          dependencies: stacks.find((s) => s.name === name)!.dependencies,
          result: 'error',
          planExitCode: null,
          errors: [`dependency cycle among ${cycle.join(', ')}`],
          log: '',
          plan: null,
          seconds: 0,
        });
      }
    },
  );
  // A stack the plans never reached (a dependency cycle) will not be initialized: nothing waits for it.
  for (const s of stacks) gates.markPlanned(s.name, false);
  const orphans = await orphansPromise;
  const untracked = await untrackedPromise;
  const summary = summarize(
    options.concurrency,
    stacks.map((s) => results.get(s.name)!),
    orphans,
    undefined,
    untracked,
  );
  write(summary, options, env);

  const lines = ['', `plan-all: ${summary.result} (exit ${summary.exitCode})`];
  for (const s of summary.stacks.filter((s) => s.result !== 'error')) {
    const pending = s.pendingPhase1 ? `; ${pendingText(s.pendingPhase1)}` : '';
    lines.push(
      `  ${s.name}: ${s.result === 'changes' ? `${s.import ? `${s.import} to import, ` : ''}${s.add} to add, ${s.change} to change, ${s.replace} to replace, ${s.destroy} to destroy${s.forget ? `, ${s.forget} to forget` : ''}, ${s.finalizerRuns} finalizer runs${s.pendingPhase1 ? ' now' : ''}` : 'no changes'}${pending}`,
    );
  }
  for (const g of errorGroups(summary.stacks)) lines.push(`  ${g.stacks.join(', ')}: ${g.error}`);
  if (summary.totals.failed) lines.push(`  logs of the failed stacks: ${path.join(options.logs, '<stack>.log')}`);
  for (const f of orphans.findings) lines.push(`  ${github && !f.empty ? '::warning::' : ''}${f.line}`);
  if (!orphans.checked) lines.push(`  orphaned states not checked: ${orphans.note}`);
  for (const f of untracked.findings) for (const line of f.lines) lines.push(`  ${github ? '::warning::' : ''}pair ${f.pair}: ${line}`);
  if (!untracked.checked) lines.push(`  untracked scrapers and roles not checked: ${untracked.note}`);
  lines.push(`  summary: ${options.summary}, report: ${options.markdown}`);
  print(lines.join('\n') + '\n');
  return summary;
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(e.message);
    return 1; // never 2: a caller reads 2 as "changes pending"
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  return (await planAll(options)).exitCode;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
