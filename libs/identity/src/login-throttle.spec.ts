import { Clock, type StewardConfig } from '@steward/platform';
import { MemoryLoginThrottle } from './login-throttle';

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
const config = {
  signInThrottle: {
    accountMaxFailures: 3,
    ipMaxFailures: 5,
    windowMs: 15 * MINUTE,
    lockoutMs: 10 * MINUTE,
  },
} as StewardConfig;

describe('MemoryLoginThrottle', () => {
  let clock: TestClock;
  let throttle: MemoryLoginThrottle;

  beforeEach(() => {
    clock = new TestClock();
    throttle = new MemoryLoginThrottle(clock, config);
  });

  it('locks an account at the limit, for the lockout period', async () => {
    for (let i = 0; i < 2; i++) await throttle.fail('ann@example.com', '192.0.2.1');
    expect(await throttle.retryAfterMs('ann@example.com', '192.0.2.1')).toBe(0);
    await throttle.fail('ann@example.com', '192.0.2.1');
    expect(await throttle.retryAfterMs('ann@example.com', '192.0.2.9')).toBe(10 * MINUTE);
    clock.advance(10 * MINUTE);
    expect(await throttle.retryAfterMs('ann@example.com', '192.0.2.9')).toBe(0);
  });

  it('forgets failures older than the window', async () => {
    for (let i = 0; i < 2; i++) await throttle.fail('ann@example.com', null);
    clock.advance(15 * MINUTE);
    await throttle.fail('ann@example.com', null);
    expect(await throttle.retryAfterMs('ann@example.com', null)).toBe(0);
  });

  it('clears the account count on success, not the address count', async () => {
    for (let i = 0; i < 2; i++) await throttle.fail('ann@example.com', '192.0.2.1');
    await throttle.succeed('ann@example.com');
    for (let i = 0; i < 2; i++) await throttle.fail('ann@example.com', '192.0.2.1');
    expect(await throttle.retryAfterMs('ann@example.com', null)).toBe(0);
    await throttle.fail('bob@example.com', '192.0.2.1');
    expect(await throttle.retryAfterMs('carl@example.com', '192.0.2.1')).toBe(10 * MINUTE);
  });
});
