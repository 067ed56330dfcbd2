/**
 * End-to-end suite: real Terraform + moto + the scraper emulator. Each file starts its own moto, emulator and work
 * directory on free ports, so the files run concurrently. Six at a time: the five longest files spend 8 minutes each
 * in the provider's fixed wait on a scraper deletion, which costs no CPU; with four workers those waits held every
 * worker while the cores idled (measured: 36 min, the first 12 of them mostly idle). Hooks take the suite's
 * timeout: setup under load is not what is tested.
 */
/**
 * Terraform and the AWS provider are Go programs that load the provider's whole schema in every command (plan,
 * show, apply: about 5 s of CPU each, a third of it garbage collection). With the collector off below a 1 GiB soft
 * limit per process, the same commands take a third less CPU (measured: terraform validate 4.9 -> 3.3 s), which on
 * 2 cores is the suite's bottleneck. Test infrastructure only: the product leaves a user's Go settings alone.
 */
process.env.GOGC ??= 'off';
process.env.GOMEMLIMIT ??= '1GiB';

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30 * 60 * 1000,
  maxWorkers: 6,
  testSequencer: '<rootDir>/__tests__/e2e/sequencer.js',
};
