/** A user's interrupts, counted once however many copies of the signal arrive (lib/deploy/interrupts.ts). */
import { Interrupts } from '../lib/deploy/interrupts';

test("a Ctrl-C's copies (the terminal's and npm's forwarded one) are one interrupt; the next Ctrl-C is the second", () => {
  let now = 10_000;
  const interrupts = new Interrupts(1000, () => now);
  expect(interrupts.first).toBeUndefined();
  expect(interrupts.record('SIGINT')).toBe(1);
  now += 5;
  expect(interrupts.record('SIGINT')).toBe(0);
  now += 900;
  expect(interrupts.record('SIGINT')).toBe(0);
  now += 200; // 1.1 s after the first: a new one, though only 0.2 s after the last copy
  expect(interrupts.record('SIGTERM')).toBe(2);
  expect(interrupts.first).toBe('SIGINT');
});

test('a SIGTERM first (a CI runner cancelling) is what the run reports', () => {
  const interrupts = new Interrupts(1000, () => 0);
  expect(interrupts.record('SIGTERM')).toBe(1);
  expect(interrupts.first).toBe('SIGTERM');
});
