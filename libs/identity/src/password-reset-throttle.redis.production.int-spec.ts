import { Clock, ErrorCode } from '@steward/platform';
import { createTestSetup, type TestSetup } from '@steward/testing';
import { Redis } from 'ioredis';
import { PASSWORD_RESET_LIMITS } from './password-reset-throttle';
import {
  PASSWORD_RESET_UNAVAILABLE,
  RedisPasswordResetThrottle,
} from './password-reset-throttle.redis';

class FixedClock extends Clock {
  now(): Date {
    return new Date('2026-11-21T08:00:00.000Z');
  }
}

describe('RedisPasswordResetThrottle', () => {
  let setup: TestSetup;
  const clock = new FixedClock();
  const throttles: RedisPasswordResetThrottle[] = [];

  beforeAll(async () => {
    setup = await createTestSetup();
  });

  afterAll(async () => {
    for (const throttle of throttles) await throttle.onApplicationShutdown();
    await setup?.cleanup();
  });

  function throttle(redisUrl = setup.config.redisUrl): RedisPasswordResetThrottle {
    const created = new RedisPasswordResetThrottle(clock, { ...setup.config, redisUrl });
    throttles.push(created);
    return created;
  }

  it('keeps no email or IP address in Redis', async () => {
    await throttle().admit('carol@example.com', '203.0.113.9');
    const redis = new Redis(setup.config.redisUrl ?? '');
    try {
      const window = Math.floor(clock.now().getTime() / PASSWORD_RESET_LIMITS.windowMs);
      const keys = await redis.keys(`${setup.config.redisPrefix}:password-reset:${window}:*`);
      expect(keys).toHaveLength(2);
      expect(keys.join()).not.toMatch(/carol|example\.com|203\.0\.113\.9/);
    } finally {
      await redis.quit();
    }
  });

  it('fails closed with a 503 when Redis is unreachable', async () => {
    await expect(
      throttle('redis://127.0.0.1:1').admit('carol@example.com', null),
    ).rejects.toMatchObject({ code: ErrorCode.Unavailable, message: PASSWORD_RESET_UNAVAILABLE });
  });
});
