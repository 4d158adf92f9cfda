import type { INestApplication, OnApplicationShutdown } from '@nestjs/common';
import { ApiTokenService, UserService } from '@steward/identity';
import { createLogger } from '@steward/platform';
import { createTestSetup, LogCapture, type TestSetup } from '@steward/testing';
import { Redis } from 'ioredis';
import { createServer } from './create-server';
import { ApiRateLimiter } from './http/rate-limit';
import { API_UNAVAILABLE } from './http/rate-limit.redis';

const LIMIT = 4;

describe('the API rate limit in Redis (production shape)', () => {
  let setup: TestSetup;
  const servers: Array<{ app: INestApplication; base: string }> = [];
  let redis: Redis;

  beforeAll(async () => {
    setup = await createTestSetup({ STEWARD_API_RATE_LIMIT: String(LIMIT) });
    // Two servers of one installation: one database, one Redis.
    for (let i = 0; i < 2; i++) {
      const app = await createServer({
        config: setup.config,
        secrets: setup.secrets,
        logger: createLogger('silent', new LogCapture()),
      });
      await app.listen(0, '127.0.0.1');
      servers.push({ app, base: await app.getUrl() });
    }
    redis = new Redis(setup.config.redisUrl ?? '');
  });

  afterAll(async () => {
    for (const { app } of servers) await app.close();
    await redis?.quit();
    await setup?.cleanup();
  });

  async function token(email: string): Promise<{ id: number; auth: string }> {
    const app = servers[0].app;
    const { user } = await app.get(UserService).createUser({ email, role: 'end-user' });
    const { token: secret } = await app.get(ApiTokenService).create(user.id, 'test');
    return { id: user.id, auth: `Bearer ${secret}` };
  }

  function me(server: number, auth: string): Promise<Response> {
    return fetch(`${servers[server].base}/api/v2/users/me.json`, {
      headers: { authorization: auth },
      signal: AbortSignal.timeout(10_000),
    });
  }

  it('shares one count between servers, and keeps no user id or address in Redis', async () => {
    const ann = await token('ann@example.com');
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await me(i % 2, ann.auth)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect((await me(0, ann.auth)).status).toBe(429);
    const keys = await redis.keys(`${setup.config.redisPrefix}:api-rate:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/:api-rate:\d+:[0-9a-f]{64}$/);
    expect(keys.join()).not.toMatch(new RegExp(`user:|:${ann.id}$|127\\.0\\.0\\.1`));
    expect(await redis.pttl(keys[0])).toBeGreaterThan(0);
  });

  it('fails closed with a 503 when Redis is lost, rather than going unlimited', async () => {
    const bob = await token('bob@example.com');
    const limiter = servers[1].app.get<ApiRateLimiter & Partial<OnApplicationShutdown>>(
      ApiRateLimiter,
    );
    expect(limiter.onApplicationShutdown).toBeInstanceOf(Function);
    await limiter.onApplicationShutdown?.();
    const lost = await me(1, bob.auth);
    expect(lost.status).toBe(503);
    expect(await lost.json()).toEqual({
      error: 'ServiceUnavailable',
      description: API_UNAVAILABLE,
    });
    // The other server, whose connection is fine, still serves.
    expect((await me(0, bob.auth)).status).toBe(200);
  });
});
