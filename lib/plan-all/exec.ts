/** Runs the commands plan-all needs, into a stack's log. */
import { spawn } from 'child_process';
import { StringDecoder } from 'string_decoder';

export interface Exec {
  code: number;
  stdout: string;
}

/**
 * Runs a command; its output (stdout+stderr, or stderr only with captureStdout) is appended to `log`. `signal`:
 * aborting it sends the command SIGINT, which Terraform takes as "stop cleanly" (it releases its state lock).
 */
export function exec(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  log: { write(text: string): unknown },
  captureStdout = false,
  signal?: AbortSignal,
): Promise<Exec> {
  return new Promise((resolve) => {
    log.write(`$ ${[command, ...args].join(' ')}\n`);
    if (signal?.aborted) return resolve({ code: 130, stdout: '' });
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = () => child.kill('SIGINT');
    signal?.addEventListener('abort', stop, { once: true });
    child.on('close', () => signal?.removeEventListener('abort', stop));
    const chunks: Buffer[] = [];
    // A character split across two chunks must not become two replacement characters in the log.
    const stdout = new StringDecoder('utf8');
    const stderr = new StringDecoder('utf8');
    child.stdout.on('data', (d: Buffer) => (captureStdout ? chunks.push(d) : log.write(stdout.write(d))));
    child.stderr.on('data', (d: Buffer) => log.write(stderr.write(d)));
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
