/** Interrupting a deploy at a chosen moment, as a dying runner or a Ctrl-C does, for the recovery e2e files. */
import { spawn } from 'child_process';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { type E2eEnvironment, expectNoChanges, expectSuccess, run, type RunResult, waitFor } from './harness';

const ROOT = path.join(__dirname, '..', '..');

export const scrapersOf = (env: E2eEnvironment, account: string, alias: string): any[] => env.emulator.list(account).filter((s: any) => s.alias === alias);

/** An amp-xa script (scripts/<name>) in the project directory, as a user runs it. */
export const script = (env: E2eEnvironment, name: string, args: string[] = []): Promise<RunResult> =>
  run(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', name), ...args], { cwd: env.workDir, env: env.baseEnv });

/** `npm run status -- --json`: exit code and pairs. */
export async function status(env: E2eEnvironment): Promise<{ code: number; pairs: any[]; output: string }> {
  const r = await script(env, 'status.ts', ['--json']);
  const start = r.output.indexOf('{');
  return { code: r.code, pairs: start === -1 ? [] : JSON.parse(r.output.slice(start, r.output.lastIndexOf('}') + 1)).pairs, output: r.output };
}

export const stateCheck = (pairs: any[], pair: string) => pairs.find((p) => p.pair === pair)?.checks.find((c: any) => c.check === 'state');

/**
 * `cdktf deploy` (or, `viaWrapper`, `npm run deploy`: scripts/cdktf.ts) killed with `signal`, its whole process tree,
 * as soon as `moment` holds (polled).
 */
export async function deployInterrupted(
  env: E2eEnvironment,
  moment: { holds: () => boolean; what: string },
  signal: NodeJS.Signals = 'SIGKILL',
  viaWrapper = false,
): Promise<RunResult> {
  const [command, args] = viaWrapper
    ? [
        process.execPath,
        ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'cdktf.ts'), 'deploy', '--auto-approve', '--skip-provider-lock'],
      ]
    : [path.join(ROOT, 'node_modules', '.bin', 'cdktf'), ['deploy', '*', '--auto-approve', '--skip-provider-lock']];
  const child = spawn(command, args, {
    cwd: env.workDir,
    env: env.baseEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  let ended = false;
  const exited = new Promise<number>((resolve) => child.once('close', (code) => ((ended = true), resolve(code ?? 1))));
  let held = false;
  try {
    await waitFor(async () => ended || (held = moment.holds()), moment.what, 10 * 60_000, 100);
  } finally {
    // SIGKILL: the whole group at once (a dead runner). SIGINT: to cdktf (or the wrapper) alone, which passes it on.
    if (!ended) process.kill(signal === 'SIGKILL' ? -child.pid! : child.pid!, signal);
  }
  const code = await exited;
  if (!held) throw new Error(`the deploy ended (exit ${code}) before ${moment.what}:\n${output.slice(-3000)}`);
  if (signal !== 'SIGKILL') {
    // Whatever cdktf left running must end by itself (no orphaned Terraform holding the lock).
    await waitFor(
      async () => {
        try {
          process.kill(-child.pid!, 0);
          return false;
        } catch {
          return true;
        }
      },
      'the interrupted process group to exit',
      5 * 60_000,
    );
  }
  return { code, output };
}

/** The deploy interrupted as soon as a new scraper of `alias` is CREATING. */
export function deployInterruptedWhileCreating(
  env: E2eEnvironment,
  account: string,
  alias: string,
  signal: NodeJS.Signals = 'SIGKILL',
  viaWrapper = false,
): Promise<RunResult> {
  const before = new Set(scrapersOf(env, account, alias).map((s: any) => s.scraperId));
  return deployInterrupted(
    env,
    {
      holds: () => scrapersOf(env, account, alias).some((s: any) => !before.has(s.scraperId) && s.status.statusCode === 'CREATING'),
      what: `a CREATING scraper ${alias}`,
    },
    signal,
    viaWrapper,
  );
}

/** A phase-2 finalizer's own Terraform is running for `roleName` (its environment names the batch's roles). */
export function finalizerRunningFor(roleName: string): boolean {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'terraform') continue;
      const roles = readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .find((v) => v.startsWith('AMP_XA_ROLES='));
      if (roles?.slice('AMP_XA_ROLES='.length).split(' ').includes(roleName)) return true;
    } catch {
      /* ended, or not ours */
    }
  }
  return false;
}

/**
 * Ctrl-C on `npm run deploy` while the scraper of `alias` (a pair being added) is CREATING, then what the messages
 * say to run, to the end: the wrapper shows where Terraform stopped and what it said, the scraper is tainted in
 * state, recover untaints it (after releasing a lock, if cdktf stopped Terraform before it released one) and the
 * next deploy keeps it: one scraper, no changes, status healthy, plan-all exit 0.
 */
export async function expectCtrlCRecovers(env: E2eEnvironment, account: string, alias: string, stacks: { phase1: string; phase2: string }): Promise<void> {
  const interrupted = await deployInterruptedWhileCreating(env, account, alias, 'SIGINT', true);
  expect(interrupted.code).not.toBe(0);
  const [created] = scrapersOf(env, account, alias);
  expect(interrupted.output).toContain('amp-xa: deploy interrupted (SIGINT); Terraform was told to stop what it was applying.');
  // What Terraform said after cdktf stopped streaming it: the stack it was stopped in, its own last lines.
  const stopped = new RegExp(`amp-xa: Terraform was stopped in ${stacks.phase1}; its last lines:\\n((?:  \\| .*\\n)+)`).exec(interrupted.output);
  expect({ stopped: Boolean(stopped), tail: stopped ? '' : interrupted.output.slice(-3000) }).toEqual({ stopped: true, tail: '' });
  expect(stopped![1]).toMatch(/Interrupt received|Stopping operation|execution halted|context canceled/);
  expect(interrupted.output).toContain(`amp-xa: Terraform did not start ${stacks.phase2} (nothing changed there)`);
  expect(interrupted.output).toMatch(new RegExp(`scraper ${created.scraperId} \\((CREATING|ACTIVE)|force-unlock -force`));
  expect(interrupted.output).toMatch(/amp-xa: run what is named above \(npm run recover -- --apply keeps what was created\), then npm run deploy again/);
  env.emulator.completeTransitions();
  const [scraper] = scrapersOf(env, account, alias);

  const check = stateCheck((await status(env)).pairs, alias);
  expect(check.details.join('\n')).toContain(`scraper ${scraper.scraperId} (ACTIVE, tainted in state): the next deploy would replace it`);
  let apply = await script(env, 'recover.ts', ['--apply']);
  // cdktf may stop Terraform before it releases the lock: recover then names the command that releases it.
  const unlock = /Release it with: (terraform -chdir=\S+ force-unlock -force \S+)/.exec(apply.output);
  if (apply.code !== 0 && unlock) {
    expectSuccess(await run('sh', ['-c', unlock[1]], { cwd: env.workDir, env: env.baseEnv }));
    apply = await script(env, 'recover.ts', ['--apply']);
  }
  expect({ code: apply.code, output: apply.code ? apply.output : '' }).toEqual({ code: 0, output: '' });
  expect(apply.output).toContain(`pair ${alias}: untainted scraper ${scraper.scraperId}`);

  expectSuccess(await env.deploy());
  expect(scrapersOf(env, account, alias).map((s: any) => s.scraperId)).toEqual([scraper.scraperId]);
  await expectNoChanges(env, [stacks.phase1, stacks.phase2]);
  const healthy = await status(env);
  expect({ code: healthy.code, output: healthy.code ? healthy.output : '' }).toEqual({ code: 0, output: '' });
  const clean = await env.diffAll();
  expect({ code: clean.code, tail: clean.code ? clean.output.slice(-2000) : '' }).toEqual({ code: 0, tail: '' });
}
