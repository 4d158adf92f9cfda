import { Clock, ErrorCode } from '@steward/platform';
import { createTestSetup, type TestSetup } from '@steward/testing';
import { Redis } from 'ioredis';
import { RedisLoginThrottle, SIGN_IN_UNAVAILABLE } from './login-throttle.redis';

class TestClock extends Clock {
  private current = 1_800_000_000_000;

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

const MINUTE = 60_000;

describe('RedisLoginThrottle', () => {
  let setup: TestSetup;
  let redis: Redis;
  const clock = new TestClock();
  const throttles: RedisLoginThrottle[] = [];

  function throttle(): RedisLoginThrottle {
    const created = new RedisLoginThrottle(clock, {
      ...setup.config,
      signInThrottle: {
        accountMaxFailures: 3,
        ipMaxFailures: 5,
        windowMs: 15 * MINUTE,
        lockoutMs: 10 * MINUTE,
      },
    });
    throttles.push(created);
    return created;
  }

  beforeAll(async () => {
    setup = await createTestSetup();
    redis = new Redis(setup.config.redisUrl ?? '');
  });

  afterAll(async () => {
    for (const created of throttles) await created.onApplicationShutdown();
    await redis?.quit();
    await setup?.cleanup();
  });

  it('shares a lock between processes, and keeps no email or address in Redis', async () => {
    const one = throttle();
    const other = throttle();
    for (let i = 0; i < 3; i++) await one.fail('ann@example.com', '192.0.2.1');
    expect(await other.retryAfterMs('ann@example.com', null)).toBe(10 * MINUTE);
    const keys = await redis.keys(`${setup.config.redisPrefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join()).not.toMatch(/ann@example\.com|192\.0\.2\.1/);
    clock.advance(10 * MINUTE);
    expect(await other.retryAfterMs('ann@example.com', null)).toBe(0);
  });

  it('clears the account count on success', async () => {
    const one = throttle();
    for (let i = 0; i < 2; i++) await one.fail('bob@example.com', null);
    await one.succeed('bob@example.com');
    for (let i = 0; i < 2; i++) await one.fail('bob@example.com', null);
    expect(await one.retryAfterMs('bob@example.com', null)).toBe(0);
  });

  it('fails closed with a 503 when Redis is unreachable, rather than letting sign-ins through', async () => {
    const unreachable = new RedisLoginThrottle(clock, {
      ...setup.config,
      redisUrl: 'redis://127.0.0.1:1',
    });
    throttles.push(unreachable);
    await expect(unreachable.retryAfterMs('ann@example.com', '192.0.2.1')).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
      message: SIGN_IN_UNAVAILABLE,
    });
    await expect(unreachable.fail('ann@example.com', null)).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
    });
  });
});
