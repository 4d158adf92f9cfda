import type * as IORedis from 'ioredis';

/**
 * Deletes every key under `prefix` from Redis (SCAN and UNLINK in batches, never FLUSHDB, so
 * that other users of the same database are untouched). Resolves how many keys went.
 */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- only the production shape needs it
  const { Redis } = require('ioredis') as typeof IORedis;
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    await client.quit();
  }
}
