import { type INestApplicationContext } from '@nestjs/common';
import { AuditLog } from '@steward/audit';
import { Clock } from '@steward/platform';
import { truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { PasswordResetEntity } from './password-reset.entity';
import { PASSWORD_RESET_REQUESTED, PasswordResetService } from './password-reset.service';
import { PASSWORD_RESET_LIMITS } from './password-reset-throttle';
import { startIdentityTestApp } from './testing/identity-test-app';
import { UserService } from './user.service';

class TestClock extends Clock {
  private current = new Date('2026-11-21T08:00:00.000Z');

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

const context = (ip: string) => ({ ip, userAgent: 'Firefox/140' });

/** Password reset throttling through the service, in the shape under test (Redis in production). */
describe('password reset throttling', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let resets: PasswordResetService;
  const clock = new TestClock();

  beforeAll(async () => {
    ({ app, setup } = await startIdentityTestApp({ clock }));
    resets = app.get(PasswordResetService);
  });

  afterEach(async () => {
    await truncateAll(app.get(DataSource));
    clock.advance(PASSWORD_RESET_LIMITS.windowMs);
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  async function requests(times: number, email: string, ip: string): Promise<boolean[]> {
    const made: boolean[] = [];
    for (let i = 0; i < times; i++)
      made.push((await resets.request(email, context(ip))) !== undefined);
    return made;
  }

  async function stored(): Promise<{ tokens: number; audited: number }> {
    const tokens = await app.get(DataSource).getRepository(PasswordResetEntity).count();
    const { entries } = await app.get(AuditLog).query({ action: PASSWORD_RESET_REQUESTED });
    return { tokens, audited: entries.length };
  }

  it('makes no token and records nothing beyond the limit per email, from any IP address', async () => {
    await app.get(UserService).createUser({ email: 'ann@example.com', role: 'agent' });
    const { perEmail } = PASSWORD_RESET_LIMITS;
    expect(await requests(perEmail, 'Ann@Example.com ', '192.0.2.1')).toEqual(
      Array<boolean>(perEmail).fill(true),
    );
    expect(await requests(1, 'ann@example.com', '192.0.2.2')).toEqual([false]);
    expect(await stored()).toEqual({ tokens: perEmail, audited: perEmail });
    clock.advance(PASSWORD_RESET_LIMITS.windowMs);
    expect(await requests(1, 'ann@example.com', '192.0.2.2')).toEqual([true]);
  });

  it('counts requests for addresses without an account against the IP address', async () => {
    await app.get(UserService).createUser({ email: 'bob@example.com', role: 'agent' });
    for (let i = 0; i < PASSWORD_RESET_LIMITS.perIp; i++) {
      expect(await resets.request(`nobody-${i}@example.com`, context('198.51.100.4'))).toBe(
        undefined,
      );
    }
    expect(await requests(1, 'bob@example.com', '198.51.100.4')).toEqual([false]);
    expect(await requests(1, 'bob@example.com', '198.51.100.5')).toEqual([true]);
    expect(await stored()).toEqual({ tokens: 1, audited: 1 });
  });
});
