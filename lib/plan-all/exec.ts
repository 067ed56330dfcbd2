/** Runs the commands plan-all needs, into a stack's log. */
import { spawn, type ChildProcess } from 'child_process';
import { StringDecoder } from 'string_decoder';

export interface Exec {
  code: number;
  stdout: string;
}

/**
 * Stops the commands run with it. They run in their own process group, so a Ctrl-C at the terminal (which npm
 * forwards once more) reaches only the caller, and each `stop()` is exactly one SIGINT to each running command:
 * Terraform takes the first as "stop cleanly" (it finishes writing, releases its state lock) and a second as
 * "exit now". Commands not started yet are not started once stopped.
 */
export class Stopper {
  private readonly running = new Set<ChildProcess>();
  private stops = 0;

  get stopped(): boolean {
    return this.stops > 0;
  }

  /** The process IDs of the commands running now. */
  get pids(): number[] {
    return [...this.running].map((c) => c.pid!).filter(Boolean);
  }

  stop(): void {
    this.stops++;
    for (const child of this.running) child.kill('SIGINT');
  }

  /** Spawns `command` detached (own process group) and tracks it until it closes. */
  spawn(command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): ChildProcess {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.running.add(child);
    child.on('close', () => this.running.delete(child));
    child.on('error', () => this.running.delete(child));
    return child;
  }
}

/**
 * Runs a command; its output (stdout+stderr, or stderr only with captureStdout) is appended to `log`. With a
 * `stopper`, the command runs in its own process group and stops when it says so (see Stopper); without, it shares
 * the caller's group and a Ctrl-C reaches it directly.
 */
export function exec(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  log: { write(text: string): unknown },
  captureStdout = false,
  stopper?: Stopper,
): Promise<Exec> {
  return new Promise((resolve) => {
    log.write(`$ ${[command, ...args].join(' ')}\n`);
    if (stopper?.stopped) return resolve({ code: 130, stdout: '' });
    const child = stopper ? stopper.spawn(command, args, { cwd, env }) : spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    // A character split across two chunks must not become two replacement characters in the log.
    const stdout = new StringDecoder('utf8');
    const stderr = new StringDecoder('utf8');
    child.stdout!.on('data', (d: Buffer) => (captureStdout ? chunks.push(d) : log.write(stdout.write(d))));
    child.stderr!.on('data', (d: Buffer) => log.write(stderr.write(d)));
    child.on('error', (e) => {
      log.write(`Error: cannot run ${command}: ${e.message}\n`);
      resolve({ code: 127, stdout: '' });
    });
    child.on('close', (exitCode) => {
      log.write(stdout.end() + stderr.end());
      resolve({ code: exitCode ?? 1, stdout: Buffer.concat(chunks).toString('utf8') });
    });
  });
}
