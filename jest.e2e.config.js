/** End-to-end suite: real Terraform + moto + the scraper emulator. Slow (the provider waits 8 minutes on scraper delete). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 30 * 60 * 1000,
  maxWorkers: 1,
};
