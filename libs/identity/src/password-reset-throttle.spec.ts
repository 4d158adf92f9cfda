import { Clock } from '@steward/platform';
import { MemoryPasswordResetThrottle } from './password-reset-throttle';

class TestClock extends Clock {
  private current = 1_800_000_000_000;

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

const HOUR = 3_600_000;
const LIMITS = { perEmail: 2, perIp: 3, windowMs: HOUR };

describe('MemoryPasswordResetThrottle', () => {
  let clock: TestClock;
  let throttle: MemoryPasswordResetThrottle;

  beforeEach(() => {
    clock = new TestClock();
    clock.advance(HOUR - (clock.now().getTime() % HOUR)); // the start of a window
    throttle = new MemoryPasswordResetThrottle(clock, LIMITS);
  });

  async function admitted(times: number, email: string, ip: string | null): Promise<boolean[]> {
    const answers: boolean[] = [];
    for (let i = 0; i < times; i++) answers.push(await throttle.admit(email, ip));
    return answers;
  }

  it('admits the limit of requests per email, from any address, then none in the window', async () => {
    expect(await admitted(2, 'ann@example.com', '192.0.2.1')).toEqual([true, true]);
    expect(await admitted(1, 'ann@example.com', '192.0.2.2')).toEqual([false]);
    expect(await admitted(1, 'ann@example.com', null)).toEqual([false]);
    expect(await admitted(1, 'bob@example.com', '192.0.2.9')).toEqual([true]);
  });

  it('admits the limit of requests per IP address, whatever the emails', async () => {
    const answers = [];
    for (const name of ['a', 'b', 'c', 'd']) {
      answers.push(await throttle.admit(`${name}@example.com`, '192.0.2.1'));
    }
    expect(answers).toEqual([true, true, true, false]);
    expect(await throttle.admit('e@example.com', '192.0.2.2')).toBe(true);
  });

  it('admits again in the next window', async () => {
    await admitted(3, 'ann@example.com', '192.0.2.1');
    clock.advance(HOUR - 1);
    expect(await throttle.admit('ann@example.com', '192.0.2.1')).toBe(false);
    clock.advance(1);
    expect(await throttle.admit('ann@example.com', '192.0.2.1')).toBe(true);
  });
});
