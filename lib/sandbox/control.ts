/**
 * The sandbox's modes around a session (session.ts): in the background (a detached owner process, waited for
 * until it is ready), stopped from another process (by the pids its directory records), and a command run in
 * its environment.
 */
import { spawn } from 'child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'fs';
import { constants } from 'os';
import * as path from 'path';
import { loadFleetConfig } from '../config/load';
import { files } from './env';
import { findMoto, SandboxError } from './moto';
import { isAlive, readState, type SandboxState } from './session';

const ROOT = path.join(__dirname, '..', '..');

/** Set in the detached owner's environment: the directory (and its log) was prepared by the starting process. */
export const DETACHED_ENV = 'AMP_XA_SANDBOX_DETACHED';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The sandbox running in `dir`, or undefined; one whose owner died is cleaned up first (its moto stopped). */
export async function runningSandbox(dir: string): Promise<SandboxState | undefined> {
  const state = readState(dir);
  if (!state) return undefined;
  if (isAlive(state.pid)) return state;
  await stopProcessGroup(state.motoPid);
  rmSync(dir, { recursive: true, force: true });
  return undefined;
}

export function alreadyRunning(dir: string, state: SandboxState): SandboxError {
  const rel = path.relative(process.cwd(), dir) || dir;
  return new SandboxError(
    `sandbox: one is already running in ${rel} (pid ${state.pid}${state.endpoint ? `, ${state.endpoint}` : ''}); use it (. ${rel}/env), or stop it first: npm run sandbox -- --stop`,
  );
}

async function stopProcessGroup(pid: number | undefined): Promise<void> {
  if (!isAlive(pid)) return;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid!, s);
    } catch {
      /* gone */
    }
  };
  signal('SIGTERM');
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(200);
  signal('SIGKILL');
}

/** Stops the sandbox of `dir` (its owner stops moto and the emulator) and removes the directory. */
export async function stopSandbox(dir: string): Promise<string> {
  const rel = path.relative(process.cwd(), dir) || dir;
  const state = readState(dir);
  if (!state) {
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    return `sandbox: none running in ${rel}`;
  }
  if (isAlive(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    for (let i = 0; i < 300 && isAlive(state.pid); i++) await sleep(200);
    if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  }
  await stopProcessGroup(state.motoPid);
  rmSync(dir, { recursive: true, force: true });
  return `sandbox: stopped (pid ${state.pid}); moto and the emulator are gone, ${rel} removed`;
}

/**
 * Starts the sandbox as a detached process logging to DIR/sandbox.log, and resolves once it is ready.
 * The config and moto are checked here first, so their problems are said in one line, not in a log.
 */
export async function startBackground(options: { dir: string; config: string; log: (line: string) => void }): Promise<SandboxState> {
  const dir = path.resolve(options.dir);
  const running = await runningSandbox(dir);
  if (running) throw alreadyRunning(dir, running);
  loadFleetConfig(path.resolve(options.config));
  const moto = findMoto();
  if (moto.warning) options.log(moto.warning);
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir)) rmSync(path.join(dir, entry), { recursive: true, force: true });
  const logFile = files(dir).log;
  const fd = openSync(logFile, 'a');
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'sandbox.ts'), '--config', path.resolve(options.config), '--dir', dir],
    { detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, [DETACHED_ENV]: '1' } },
  );
  closeSync(fd);
  let exited: number | null | undefined;
  child.on('exit', (code, signal) => (exited = code ?? (signal ? 1 : 0)));
  child.unref();
  const deadline = Date.now() + 300_000;
  for (;;) {
    const state = readState(dir);
    if (state?.ready && state.pid === child.pid) return state;
    if (exited !== undefined || Date.now() > deadline) {
      if (exited === undefined) child.kill('SIGTERM');
      let tail = '';
      try {
        tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-20).join('\n');
      } catch {
        /* the owner removed its directory */
      }
      throw new SandboxError(
        `sandbox: the background sandbox ${exited === undefined ? 'was not ready within 300 s' : 'failed to start'}${tail ? `:\n${tail}` : ''}`,
      );
    }
    await sleep(200);
  }
}

/** Runs `command` with `env`, signals passed on; resolves to its exit code. */
export function runCommand(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    for (const s of signals) process.on(s, forward);
    const done = (code: number) => {
      for (const s of signals) process.off(s, forward);
      resolve(code);
    };
    child.on('error', (e) => {
      console.error(`sandbox: cannot run ${command[0]}: ${e.message}`);
      done(127);
    });
    // Like a shell: a command killed by a signal exits 128 + its number.
    child.on('close', (code, signal) => done(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  });
}
