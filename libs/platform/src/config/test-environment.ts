import type { Environment, Shape } from './config';

/** What a test run is pointed at: the shape under test and the services for production. */
export interface TestEnvironment {
  readonly shape: Shape;
  readonly ci: boolean;
  readonly mysqlUrl?: string;
  readonly redisUrl?: string;
}

/** Reads the test run's settings (STEWARD_TEST_*); used only by test helpers and benchmarks. */
export function loadTestEnvironment(env: Environment = process.env): TestEnvironment {
  const shape = env.STEWARD_TEST_SHAPE?.trim() || 'embedded';
  if (shape !== 'embedded' && shape !== 'production') {
    throw new Error(`STEWARD_TEST_SHAPE: expected embedded or production, got "${shape}"`);
  }
  return {
    shape,
    ci: env.CI === 'true' || env.CI === '1',
    mysqlUrl: env.STEWARD_TEST_MYSQL_URL?.trim() || undefined,
    redisUrl: env.STEWARD_TEST_REDIS_URL?.trim() || undefined,
  };
}
