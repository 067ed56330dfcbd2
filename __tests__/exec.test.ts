/**
 * Stopping the commands plan-all and the deploy's plan-first run (lib/plan-all/exec.ts): each in its own process
 * group (a Ctrl-C at the terminal reaches only the caller), one SIGINT per stop() (Terraform: the first stops
 * cleanly, a second at once), nothing started once stopped.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { exec, Stopper } from '../lib/plan-all/exec';

// Counts SIGINTs: says "ready" once listening, exits 130 at the second.
const COUNTER = `
let n = 0;
process.on('SIGINT', () => { n++; console.log('sigint ' + n); if (n === 2) process.exit(130); });
console.log('ready');
setInterval(() => {}, 1000);
`;

/** A log; `output()` is what the command wrote (without the `$ command` line exec writes first). */
const log = () => {
  const lines: string[] = [];
  return { output: () => lines.slice(1).join(''), write: (t: string) => lines.push(t), lines };
};
const until = async (what: () => boolean) => {
  while (!what()) await new Promise((r) => setTimeout(r, 20));
};

test('each stop() is one SIGINT to each running command, which runs in a process group of its own', async () => {
  const stopper = new Stopper();
  const out = log();
  const done = exec(process.execPath, ['-e', COUNTER], process.cwd(), process.env, out, false, stopper);
  await until(() => out.output().includes('ready'));
  const [pid] = stopper.pids;
  const pgid = Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
  expect(pgid).toBe(pid);
  expect(pgid).not.toBe(Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(process.pid)], { encoding: 'utf8' }).trim()));
  stopper.stop();
  await until(() => out.output().includes('sigint 1'));
  expect(out.output()).not.toContain('sigint 2');
  stopper.stop();
  expect((await done).code).toBe(130);
  expect(out.output()).toMatch(/sigint 1\nsigint 2\n/);
});

test('once stopped, a command not yet started is not started', async () => {
  const stopper = new Stopper();
  stopper.stop();
  const out = log();
  const marker = path.join(mkdtempSync(path.join(tmpdir(), 'amp-xa-exec-')), 'ran');
  const result = await exec(
    process.execPath,
    ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`],
    process.cwd(),
    process.env,
    out,
    false,
    stopper,
  );
  expect(result).toEqual({ code: 130, stdout: '' });
  expect(existsSync(marker)).toBe(false);
  expect(out.lines).toHaveLength(1);
  rmSync(path.dirname(marker), { recursive: true });
});
