/** What the untracked check waits for while the plans run (lib/plan-all/gates.ts). */
import { StackGates } from '../lib/plan-all/gates';

const settled = async (p: Promise<boolean>) => Promise.race([p, new Promise((r) => setTimeout(() => r('pending'), 20))]);

test('a stack is readable once initialized, before its plan ends; the plan result follows', async () => {
  const gates = new StackGates(['fleet-scrapers']);
  expect(await settled(gates.initialized('fleet-scrapers'))).toBe('pending');
  gates.markInitialized('fleet-scrapers');
  expect(await settled(gates.initialized('fleet-scrapers'))).toBe(true);
  expect(await settled(gates.planned('fleet-scrapers'))).toBe('pending');
  gates.markPlanned('fleet-scrapers', false);
  expect(await settled(gates.planned('fleet-scrapers'))).toBe(false);
  // The first word stands: an initialized stack stays initialized.
  expect(await settled(gates.initialized('fleet-scrapers'))).toBe(true);
});

test('a stack whose plan ended without an init (init failed, a cycle) is never readable: nothing waits for it', async () => {
  const gates = new StackGates(['fleet-scrapers', 'b-scrapers']);
  gates.markPlanned('fleet-scrapers', false);
  expect(await settled(gates.initialized('fleet-scrapers'))).toBe(false);
  gates.markPlanned('b-scrapers', true);
  gates.markPlanned('b-scrapers', false);
  expect(await settled(gates.planned('b-scrapers'))).toBe(true);
  // Not planned in this run (plan-all -- <stacks>): neither.
  expect(await settled(gates.initialized('other-scrapers'))).toBe(false);
  expect(await settled(gates.planned('other-scrapers'))).toBe(false);
});
