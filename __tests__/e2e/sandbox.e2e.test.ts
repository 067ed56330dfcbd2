/**
 * `npm run sandbox`'s modes and how each ends, with the real moto_server (examples/single-pair.json, a directory of
 * the test's own): a command run in a new sandbox (its environment, its exit code, everything stopped after it);
 * the foreground sandbox refusing a second one and stopping on Ctrl-C; an owner that died without cleaning up
 * (SIGKILL) stopped by --stop, its moto included. No deploy here: try-it-locally.e2e runs the README's.
 */
import { spawn } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { run, waitFor } from './harness';

const ROOT = path.join(__dirname, '..', '..');
const CONFIG = path.join(ROOT, 'examples', 'single-pair.json');
const sandbox = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  run(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'sandbox.ts'), ...args], { cwd: ROOT, env });

let base: string;
beforeEach(() => (base = mkdtempSync(path.join(tmpdir(), 'amp-xa-sandbox-e2e-'))));
afterEach(() => rmSync(base, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const state = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'sandbox.json'), 'utf8'));

test('a command runs in a new sandbox with its environment and exit code; nothing is left after it', async () => {
  const dir = path.join(base, 'sb');
  const script = [
    'cat "$(dirname "$AMP_XA_CONFIG")/sandbox.json"; echo',
    'echo "endpoint=$AWS_ENDPOINT_URL profile=${AWS_PROFILE:-none}"',
    'aws sts get-caller-identity --profile workload --query Account --output text',
    'aws eks describe-cluster --name prod-eks --profile workload --query cluster.resourcesVpcConfig.endpointPrivateAccess --output text',
    'exit 3',
  ].join('\n');
  const r = await sandbox(['--config', CONFIG, '--dir', dir, 'sh', '-c', script], { ...process.env, AWS_PROFILE: 'my-real-profile' });
  expect({ code: r.code, tail: r.code === 3 ? '' : r.output.slice(-3000) }).toEqual({ code: 3, tail: '' });
  expect(r.output).toMatch(/^endpoint=http:\/\/127\.0\.0\.1:\d+ profile=none$/m);
  expect(r.output).toMatch(/^111111111111$/m);
  expect(r.output).toMatch(/^True$/m);
  const started = JSON.parse(/^\{[\s\S]*?^\}$/m.exec(r.output)![0]);
  expect({ dir: existsSync(dir), owner: alive(started.pid), moto: alive(started.motoPid) }).toEqual({ dir: false, owner: false, moto: false });
  await expect(fetch(started.endpoint)).rejects.toThrow();
});

test('in the foreground: prints the environment, refuses a second sandbox in its directory, stops on Ctrl-C', async () => {
  const dir = path.join(base, 'sb');
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', 'sandbox.ts'), '--config', CONFIG, '--dir', dir],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    await waitFor(async () => /sandbox: ready/.test(stderr), 'the sandbox to be ready', 180_000);
    const started = state(dir);
    expect(stdout).toContain(`export AWS_ENDPOINT_URL='${started.endpoint}'`);
    expect(stdout).toContain(`export AMP_XA_CONFIG='${path.join(dir, 'fleet.json')}'`);
    const second = await sandbox(['--dir', dir, '--background']);
    expect({ code: second.code, output: second.output.trim() }).toEqual({
      code: 1,
      output: expect.stringMatching(new RegExp(`^sandbox: one is already running in .*sb \\(pid ${started.pid}, ${started.endpoint}\\); use it`)),
    });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect({ dir: existsSync(dir), moto: alive(started.motoPid) }).toEqual({ dir: false, moto: false });
    await expect(fetch(started.endpoint)).rejects.toThrow();
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  }
});

test('an owner that died without cleaning up: --stop still stops its moto and removes the directory', async () => {
  const dir = path.join(base, 'sb');
  const started = await sandbox(['--config', CONFIG, '--dir', dir, '--background']);
  expect({ code: started.code, tail: started.code ? started.output : '' }).toEqual({ code: 0, tail: '' });
  const { pid, motoPid } = state(dir);
  process.kill(pid, 'SIGKILL');
  await waitFor(async () => !alive(pid), 'the owner to die');
  expect(alive(motoPid)).toBe(true);
  const stopped = await sandbox(['--dir', dir, '--stop']);
  expect(stopped.code).toBe(0);
  expect({ dir: existsSync(dir), moto: alive(motoPid) }).toEqual({ dir: false, moto: false });
  // Stopping again is not an error.
  expect((await sandbox(['--dir', dir, '--stop'])).output).toMatch(/^sandbox: none running in /m);
});
