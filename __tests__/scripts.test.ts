/** The benchmark's inputs: generated fleets are valid configs, and bad options stop it with a message. */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { generateFleet } from '../scripts/generate-fleet';
import { plan } from './support/fleet';

const ROOT = path.join(__dirname, '..');
const script = (name: string, args: string[]) =>
  spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', name), ...args], { encoding: 'utf8' });

const perSourceAccount = (config: unknown) => {
  const counts = new Map<string, number>();
  for (const p of plan(config).pairs) counts.set(p.source.id, (counts.get(p.source.id) ?? 0) + 1);
  return [...counts.values()];
};

test('generated fleets pass the config checks, at most 10 scrapers per source account by default', () => {
  expect(plan(generateFleet(25)).pairs).toHaveLength(25);
  expect(perSourceAccount(generateFleet(25))).toEqual([9, 8, 8]);
  expect(perSourceAccount(generateFleet(100))).toEqual(Array(10).fill(10));
});

test('the number of source accounts is an option; pairs spread evenly over exactly that many', () => {
  expect(perSourceAccount(generateFleet(20, { sourceAccounts: 2 }))).toEqual([10, 10]);
  expect(perSourceAccount(generateFleet(10, { sourceAccounts: 6 }))).toEqual([2, 2, 1, 2, 2, 1]);
  expect(perSourceAccount(generateFleet(3, { sourceAccounts: 5 }))).toEqual([1, 1, 1]);
  const arn = 'arn:aws:aps:eu-west-1:900000000000:workspace/ws-abc';
  expect(plan(generateFleet(4, { workspaceArns: [arn] })).pairs.every((p) => p.workspace.arn === arn)).toBe(true);
});

test.each([
  ['bench.ts', ['--runs', 'x'], /^bench: --runs takes whole numbers of at least 1, got "x"$/m],
  ['bench.ts', ['--pairs', '10,0'], /^bench: --pairs takes whole numbers of at least 1, got "0"$/m],
  ['bench.ts', ['--only', 'nope'], /^bench: --only takes synth or tests, got "nope"$/m],
  ['generate-fleet.ts', ['abc'], /^generate-fleet: the pair count must be a whole number of at least 1, got "abc"$/m],
  ['generate-fleet.ts', ['10', '--source-accounts', '0'], /^generate-fleet: --source-accounts must be a whole number of at least 1, got "0"$/m],
  ['generate-fleet.ts', ['10', '--accounts', '2'], /^generate-fleet: unknown option --accounts;/m],
])('%s %p is refused with a message naming the option', (name, args, message) => {
  const r = script(name, args);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(message);
});
