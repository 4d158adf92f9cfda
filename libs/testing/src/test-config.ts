import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  ensureSecrets,
  loadConfig,
  loadTestEnvironment,
  type Secrets,
  type StewardConfig,
} from '@steward/platform';
import { deleteRedisKeys } from '@steward/queue';
import { createTestDatabase, requireService, type TestDatabase } from './test-database';

export interface TestSetup {
  readonly config: StewardConfig;
  readonly secrets: Secrets;
  readonly database: TestDatabase;
  /** The environment the configuration was read from (for child processes). */
  readonly env: Record<string, string>;
  cleanup(): Promise<void>;
}

/**
 * A configuration for the shape under test: its own data directory, database and (in the
 * production shape) Redis key prefix, so test files never see each other's data.
 */
export async function createTestSetup(overrides: Record<string, string> = {}): Promise<TestSetup> {
  const testEnv = loadTestEnvironment();
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-test-'));
  const database = await createTestDatabase();
  const env: Record<string, string> = {
    STEWARD_DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    STEWARD_HTTP_PORT: '3000',
    STEWARD_LOG_LEVEL: 'info',
    STEWARD_BCRYPT_COST: '10',
    STEWARD_SHUTDOWN_TIMEOUT_MS: '5000',
    ...(testEnv.shape === 'production'
      ? {
          REDIS_URL: requireService('STEWARD_TEST_REDIS_URL'),
          STEWARD_REDIS_PREFIX: `steward-t-${randomBytes(4).toString('hex')}`,
        }
      : {}),
    ...overrides,
  };
  const config = loadConfig({ env, cwd: dataDir });
  const { secrets } = ensureSecrets(config.secretsFile);
  return {
    config,
    secrets,
    database,
    env,
    cleanup: async () => {
      if (config.redisUrl) await deleteRedisKeys(config.redisUrl, config.redisPrefix);
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
