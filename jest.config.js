/**
 * One suite, two shapes. STEWARD_TEST_SHAPE=embedded (default) runs against SQLite and the
 * in-process job runner; STEWARD_TEST_SHAPE=production against MariaDB and Redis/BullMQ
 * (STEWARD_TEST_MYSQL_URL, STEWARD_TEST_REDIS_URL). Files named *.production.int-spec.ts
 * exercise production-only adapters and run only in that shape; *.embedded.int-spec.ts the
 * reverse; every other spec runs in both.
 */
const shape = process.env.STEWARD_TEST_SHAPE || 'embedded';
const otherShape = shape === 'production' ? 'embedded' : 'production';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', `\\.${otherShape}\\.(int|e2e)-spec\\.ts$`],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  moduleNameMapper: { '^@steward/(.*)$': '<rootDir>/libs/$1/src/index.ts' },
  testTimeout: 60000,
  maxWorkers: 2,
};
