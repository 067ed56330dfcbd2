/**
 * The deploy's plan-first step (lib/deploy/plan-first.ts) on a synthesized app with local state, against a fake
 * Terraform (support/fake-terraform.js): when it plans, how (side by side, holding the state lock), and what it
 * concludes. The deploy that follows is cdktf's (e2e: s3-backend, try-it-locally).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { planFirst, rememberDeployedInits } from '../lib/deploy/plan-first';
import { Stopper } from '../lib/plan-all/exec';

const FAKE_TF = path.join(__dirname, 'support', 'fake-terraform.js');
const STACKS = ['fleet-scrapers', 'fleet-trust'];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-plan-first-'));
  const stacks: Record<string, unknown> = {};
  for (const name of STACKS) {
    mkdirSync(path.join(dir, 'out', 'stacks', name), { recursive: true });
    const stack = { terraform: { backend: { local: { path: `../../../state/terraform.${name}.tfstate` } } } };
    writeFileSync(path.join(dir, 'out', 'stacks', name, 'cdk.tf.json'), JSON.stringify(stack));
    stacks[name] = { name, dependencies: [], workingDirectory: `stacks/${name}`, synthesizedStackPath: `stacks/${name}/cdk.tf.json` };
  }
  writeFileSync(path.join(dir, 'out', 'manifest.json'), JSON.stringify({ stacks }));
  mkdirSync(path.join(dir, 'state'));
  writeFileSync(path.join(dir, 'events'), '');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const deployed = (...names: string[]) => {
  for (const name of names)
    writeFileSync(path.join(dir, 'state', `terraform.${name}.tfstate`), JSON.stringify({ resources: [{ mode: 'managed', type: 'aws_iam_role' }] }));
};

const fakeEnv = () => ({
  ...process.env,
  CDKTF: 'true',
  TERRAFORM_BINARY_NAME: FAKE_TF,
  FAKE_TF_SCENARIO: path.join(dir, 'scenario.json'),
  FAKE_TF_EVENTS: path.join(dir, 'events'),
});

async function run(scenario: Record<string, unknown> = {}, stopper?: Stopper) {
  writeFileSync(path.join(dir, 'scenario.json'), JSON.stringify(scenario));
  const env = fakeEnv();
  const lines: string[] = [];
  const logs = path.join(dir, 'out', 'deploy-plan-logs');
  const result = await planFirst({ outdir: path.join(dir, 'out'), concurrency: 2, logs, stopper }, env, (l) => lines.push(l));
  const events = readFileSync(path.join(dir, 'events'), 'utf8').split('\n').filter(Boolean);
  return { result, lines, events, logs };
}

test('every stack deployed and no plan with changes: nothing to deploy; the plans held the lock, their logs kept', async () => {
  deployed(...STACKS);
  const { result, lines, events, logs } = await run();
  expect(result).toEqual({ result: 'no-changes', stacks: STACKS });
  expect(lines[0]).toBe('amp-xa: planning the 2 stacks side by side first (a deploy with no changes ends there)');
  expect(events.filter((e) => e.startsWith('start') && e.endsWith('plan')).sort()).toEqual(['start fleet-scrapers plan', 'start fleet-trust plan']);
  for (const name of STACKS) {
    expect(existsSync(path.join(logs, `${name}.log`))).toBe(true);
    expect(readFileSync(path.join(logs, `${name}.log`), 'utf8')).toMatch(
      / plan -json -no-color -detailed-exitcode -input=false -lock=true -out=amp-xa\.tfplan\n/,
    );
  }
});

test('a stack with changes, or whose plan fails: cdktf deploy, on the app just synthesized', async () => {
  deployed(...STACKS);
  expect((await run({ 'fleet-trust': { plan: 2, changes: [['terraform_data.x', 'terraform_data', 'replace']] } })).result).toEqual({
    result: 'deploy',
    why: 'changes in fleet-trust',
    synthesized: true,
  });
  const failed = await run({ 'fleet-scrapers': { plan: 1, error: 'Error acquiring the state lock' } });
  expect(failed.result).toEqual({ result: 'deploy', why: 'the plan of fleet-scrapers failed (cdktf deploy shows why)', synthesized: true });
  expect(failed.lines).toContainEqual(expect.stringMatching(/^amp-xa: {3}fleet-scrapers: plan failed: .*Error acquiring the state lock/));
});

test('a stack never deployed (no state, or a state without resources): no plan at all, straight to cdktf deploy', async () => {
  deployed('fleet-scrapers');
  const { result, events } = await run();
  expect(result).toEqual({ result: 'deploy', why: 'not deployed yet: fleet-trust', synthesized: true });
  expect(events).toEqual([]);
  writeFileSync(path.join(dir, 'state', 'terraform.fleet-trust.tfstate'), JSON.stringify({ resources: [{ mode: 'data', type: 'aws_partition' }] }));
  expect((await run()).result).toMatchObject({ why: 'not deployed yet: fleet-trust' });
});

test('interrupted: says so, whatever the plans had found', async () => {
  deployed(...STACKS);
  const stopper = new Stopper();
  stopper.stop();
  const { result, events } = await run({}, stopper);
  expect(result).toEqual({ result: 'interrupted' });
  // Stopped before the plans: none started.
  expect(events).toEqual([]);
});

test('after cdktf deployed every stack, plan-first skips the terraform init cdktf already ran (a stack it never initialized still gets one)', async () => {
  deployed(...STACKS);
  // cdktf's init leaves the data directory; here only the phase-1 stack has one.
  mkdirSync(path.join(dir, 'out', 'stacks', 'fleet-scrapers', '.terraform'));
  expect(rememberDeployedInits(path.join(dir, 'out'), fakeEnv())).toEqual(['fleet-scrapers']);
  const { result, events } = await run();
  expect(result).toEqual({ result: 'no-changes', stacks: STACKS });
  expect(events.filter((e) => e.startsWith('start') && e.endsWith('init'))).toEqual(['start fleet-trust init']);
  // Stamped from other inputs (the Terraform binary is one of them): init runs again.
  expect(rememberDeployedInits(path.join(dir, 'out'), { ...fakeEnv(), TERRAFORM_BINARY_NAME: 'another-terraform' })).toEqual(STACKS);
  writeFileSync(path.join(dir, 'events'), '');
  expect((await run()).events.filter((e) => e.startsWith('start') && e.endsWith('init')).sort()).toEqual([
    'start fleet-scrapers init',
    'start fleet-trust init',
  ]);
  expect(rememberDeployedInits(path.join(dir, 'missing'), fakeEnv())).toEqual([]);
});
