/**
 * End-to-end suite: real Terraform + moto + the scraper emulator. Each file starts its own moto, emulator and work
 * directory on free ports, so the files run concurrently: most of their time is the provider's fixed 8-minute wait
 * on a scraper deletion, which costs no CPU. Four at a time: more start their moto servers, synths and Terraform
 * providers together and starve 2 cores. Hooks take the suite's timeout: setup under load is not what is tested.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30 * 60 * 1000,
  maxWorkers: 4,
  testSequencer: '<rootDir>/__tests__/e2e/sequencer.js',
};
