/**
 * End-to-end suite: real Terraform + moto + the scraper emulator. Each file starts its own moto, emulator and work
 * directory on free ports, so the files run concurrently. Six at a time: the five longest files spend 8 minutes each
 * in the provider's fixed wait on a scraper deletion, which costs no CPU; with four workers those waits held every
 * worker while the cores idled (measured: 36 min, the first 12 of them mostly idle). Hooks take the suite's
 * timeout: setup under load is not what is tested.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30 * 60 * 1000,
  maxWorkers: 6,
  testSequencer: '<rootDir>/__tests__/e2e/sequencer.js',
};
