/** Interrupting a deploy at a chosen moment, as a dying runner or a Ctrl-C does, for the recovery e2e files. */
import { spawn } from 'child_process';
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { type E2eEnvironment, run, type RunResult, waitFor } from './harness';

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
