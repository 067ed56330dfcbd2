/** Unit tests. ts-jest transpiles each file alone (tsconfig isolatedModules); type checking is `npm run typecheck`, which `npm test` runs first. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__', '<rootDir>/examples/testing'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/__tests__/e2e/'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup.js'],
  maxWorkers: 2,
  workerIdleMemoryLimit: '150MB',
};
