/**
 * The deploy's Terraform shim keeps each apply's output for the report after a Ctrl-C, and is Terraform itself for
 * everything else: same arguments, exit code, output, and no copy outliving a signal to the whole process group.
 */
import { spawn, spawnSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { LAST_LINES, loggedTerraformEnv, stackRun, stackRunReport, TERRAFORM_SHIM } from '../lib/recovery/terraform-log';

let base: string;
let fake: string;

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'amp-xa-tf-log-'));
  fake = path.join(base, 'fake-terraform');
  // Prints its arguments, then on `apply` a line, waits for SIGINT as Terraform does, and says so afterwards.
  writeFileSync(
    fake,
    [
      '#!/bin/sh',
      'echo "args: $*"',
      'echo "to stderr" >&2',
      '[ "$1" = apply ] || exit 3',
      'trap \'echo "Interrupt received."; echo "Stopping operation..."; echo "Error: execution halted" >&2; exit 1\' INT',
      'echo "aws_prometheus_scraper.x: Creating..."',
      'while :; do sleep 0.1; done',
    ].join('\n'),
  );
  chmodSync(fake, 0o755);
});

function stackDir(name: string): string {
  const dir = path.join(base, 'stacks', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

test('commands other than apply and destroy are Terraform untouched: arguments, output, exit code, no log', () => {
  const logs = mkdtempSync(path.join(base, 'logs-'));
  const r = spawnSync(TERRAFORM_SHIM, ['plan', '-input=false', 'a b'], {
    cwd: stackDir('s1'),
    env: loggedTerraformEnv({ ...process.env, TERRAFORM_BINARY_NAME: fake }, logs),
    encoding: 'utf8',
  });
  expect({ code: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 3, stdout: 'args: plan -input=false a b\n', stderr: 'to stderr\n' });
  expect(spawnSync('ls', [logs], { encoding: 'utf8' }).stdout).toBe('');
});

test("an apply stopped by SIGINT to the whole process group: Terraform's last words are in the stack's log, its exit code is kept", async () => {
  const logs = mkdtempSync(path.join(base, 'logs-'));
  const child = spawn(TERRAFORM_SHIM, ['apply', '-auto-approve'], {
    cwd: stackDir('fleet-scrapers'),
    env: loggedTerraformEnv({ ...process.env, TERRAFORM_BINARY_NAME: fake }, logs),
    detached: true, // its own process group, as a terminal's foreground job
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  while (!stdout.includes('Creating...')) await new Promise((r) => setTimeout(r, 50));
  process.kill(-child.pid!, 'SIGINT');
  const code = await new Promise((r) => child.on('close', r));
  expect(code).toBe(1);
  expect(stdout).toContain('Stopping operation...');
  expect(stderr).toContain('Error: execution halted');
  const log = readFileSync(path.join(logs, 'fleet-scrapers.log'), 'utf8');
  for (const line of [
    'args: apply -auto-approve',
    'aws_prometheus_scraper.x: Creating...',
    'Interrupt received.',
    'Stopping operation...',
    'Error: execution halted',
  ])
    expect(log).toContain(line);
  expect(stackRun('fleet-scrapers', log)).toEqual({
    stack: 'fleet-scrapers',
    outcome: 'stopped',
    lastLines: expect.arrayContaining(['Error: execution halted']),
  });
});

test("the shim exits only once its copies have written everything: cdktf reads the output's end when the process exits", async () => {
  const logs = mkdtempSync(path.join(base, 'logs-'));
  const loud = path.join(base, 'loud-terraform');
  // Two MB of output (50,000 lines), then the line cdktf and the report look for, then an immediate exit.
  writeFileSync(
    loud,
    [
      '#!/bin/sh',
      'yes "aws_iam_role.x: Refreshing state..." | head -n 50000',
      'echo "Apply complete! Resources: 0 added, 1 changed, 0 destroyed."',
      'exit 0',
    ].join('\n'),
  );
  chmodSync(loud, 0o755);
  const child = spawn(TERRAFORM_SHIM, ['apply'], { cwd: stackDir('loud'), env: loggedTerraformEnv({ ...process.env, TERRAFORM_BINARY_NAME: loud }, logs) });
  child.stdout.resume();
  // 'exit', not 'close': the moment a pty reader (cdktf's node-pty) sees the process end.
  const atExit = await new Promise<string>((resolve) => child.on('exit', () => resolve(readFileSync(path.join(logs, 'loud.log'), 'utf8'))));
  expect(atExit.trimEnd().split('\n').at(-1)).toBe('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');
});

test('without a log directory the shim is Terraform untouched, apply included', () => {
  const r = spawnSync(TERRAFORM_SHIM, ['version'], { cwd: stackDir('s2'), env: { ...process.env, AMP_XA_TERRAFORM: fake }, encoding: 'utf8' });
  expect(r.stdout).toBe('args: version\n');
  expect(loggedTerraformEnv({ TERRAFORM_BINARY_NAME: '/opt/tf' }, '/l')).toEqual({
    AMP_XA_TERRAFORM: '/opt/tf',
    AMP_XA_TERRAFORM_LOG_DIR: '/l',
    TERRAFORM_BINARY_NAME: TERRAFORM_SHIM,
  });
  // A second wrapper (npm run deploy inside one) keeps the real Terraform.
  expect(loggedTerraformEnv(loggedTerraformEnv({}, '/a'), '/b').AMP_XA_TERRAFORM).toBe('terraform');
});

describe('the report after an interruption', () => {
  test('finished, stopped (with its last lines, escaped and without colour codes) and not started stacks', () => {
    const stopped = [
      ...Array.from({ length: 30 }, (_, i) => `line ${i}`),
      '\u001b[31mError:\u001b[0m creating scraper: context canceled',
      'evil \u001b]0;title\u0007 \u202e',
    ].join('\n');
    const runs = [
      stackRun('fleet-workspaces', 'Apply complete! Resources: 0 added, 0 changed, 0 destroyed.\n'),
      stackRun('fleet-scrapers', stopped),
      stackRun('fleet-trust', undefined),
    ];
    const report = stackRunReport(runs);
    expect(report[0]).toBe('amp-xa: Terraform finished fleet-workspaces before the interruption');
    expect(report[1]).toBe('amp-xa: Terraform was stopped in fleet-scrapers; its last lines:');
    const shown = report.slice(2, -1);
    expect(shown).toHaveLength(LAST_LINES);
    expect(shown.at(-2)).toBe('  | Error: creating scraper: context canceled');
    expect(shown.at(-1)).toBe('  | evil \\u{1b}]0;title\\u{7} \\u{202e}');
    expect(report.at(-1)).toBe('amp-xa: Terraform did not start fleet-trust (nothing changed there)');
    expect(stackRun('x', 'Destroy complete! Resources: 4 destroyed.').outcome).toBe('finished');
    expect(stackRunReport([stackRun('x', '')])).toEqual(['amp-xa: Terraform was stopped in x; its last lines:', '  | (nothing)']);
  });
});
