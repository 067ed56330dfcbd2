/** The benchmark's inputs: generated fleets are valid configs, and bad options stop it with a message. */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { generateFleet } from '../scripts/generate-fleet';
import { plan } from './support/fleet';

const ROOT = path.join(__dirname, '..');
const script = (name: string, args: string[]) =>
  spawnSync(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.js'), path.join(ROOT, 'scripts', name), ...args], { encoding: 'utf8' });

test('generated fleets pass the config checks, at most 10 scrapers per source account', () => {
  const fleet = plan(generateFleet(25));
  expect(fleet.pairs).toHaveLength(25);
  const perAccount = new Map<string, number>();
  for (const p of fleet.pairs) perAccount.set(p.source.id, (perAccount.get(p.source.id) ?? 0) + 1);
  expect(Math.max(...perAccount.values())).toBe(10);
});

test.each([
  ['bench.ts', ['--runs', 'x'], /^bench: --runs takes whole numbers of at least 1, got "x"$/m],
  ['bench.ts', ['--pairs', '10,0'], /^bench: --pairs takes whole numbers of at least 1, got "0"$/m],
  ['bench.ts', ['--only', 'nope'], /^bench: --only takes synth or tests, got "nope"$/m],
  ['generate-fleet.ts', ['abc'], /^generate-fleet: the pair count must be a whole number of at least 1, got "abc"$/m],
])('%s %p is refused with a message naming the option', (name, args, message) => {
  const r = script(name, args);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(message);
});
