import { deleteRedisKeys } from '../redis-keys';
import { loadTestEnvironment, errorMessage } from '@steward/platform';
import { Redis } from 'ioredis';

/**
 * The Redis URL of the production-shape test run. Throws (so the tests fail, never skip) when
 * STEWARD_TEST_REDIS_URL is missing or Redis does not answer.
 */
export async function requireTestRedis(): Promise<string> {
  const { redisUrl } = loadTestEnvironment();
  if (redisUrl === undefined) {
    throw new Error(
      'STEWARD_TEST_REDIS_URL is not set: the production-shape queue tests need a Redis, e.g. STEWARD_TEST_REDIS_URL=redis://127.0.0.1:6379/15',
    );
  }
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const reason = lastError ?? error;
    throw new Error(
      `Redis at ${withoutPassword(redisUrl)} (STEWARD_TEST_REDIS_URL) does not answer: ${errorMessage(reason)}`,
    );
  } finally {
    client.disconnect();
  }
  return redisUrl;
}

/** A key prefix of its own for one test file, so that files sharing a database never meet. */
export function uniquePrefix(label: string): string {
  return `steward-test-${label}-${process.pid}-${Date.now().toString(36)}`;
}

/** Deletes every key under `prefix` (never FLUSHDB: other test files share the database). */
export async function deleteKeysWithPrefix(redisUrl: string, prefix: string): Promise<void> {
  await deleteRedisKeys(redisUrl, prefix);
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparsable URL';
  }
}
