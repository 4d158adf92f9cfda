import { startIdentityTestApp } from './testing/identity-test-app';
import { type INestApplicationContext } from '@nestjs/common';

import { Clock } from '@steward/platform';

import { truncateAll, type TestSetup } from '@steward/testing';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { IdentityContributor } from './identity.contributor';

import { PasswordHasher } from './password-hasher';
import { hashSessionToken, SessionService } from './session.service';
import { SessionStore } from './session-store';
import { SignInService } from './sign-in.service';
import { UserEntity } from './user.entity';
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

const PASSWORD = 'correct horse battery';
const CONTEXT = { ip: '192.0.2.7', userAgent: 'Firefox/140' };

describe('web sessions', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  const clock = new TestClock();

  beforeAll(async () => {
    ({ app, setup } = await startIdentityTestApp({ clock }));
  });

  afterEach(async () => {
    // In the production shape the sessions are in Redis, which truncating the tables leaves.
    const users = await app.get(DataSource).getRepository(UserEntity).find();
    await app.get(SessionStore).deleteByUsers(users.map((user) => user.id));
    await truncateAll(app.get(DataSource));
    clock.advance(24 * 3_600_000);
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  /**
   * Everything kept where the shape keeps sessions, as text: the `sessions` table's rows, or
   * (production) every session hash in Redis, the table being empty.
   */
  async function storedSessionsText(): Promise<string> {
    const rows: unknown[] = await app.get(DataSource).query('SELECT * FROM sessions');
    if (setup.config.shape === 'embedded') return JSON.stringify(rows);
    expect(rows).toEqual([]);
    const redis = new Redis(setup.config.redisUrl ?? '');
    try {
      const keys = await redis.keys(`${setup.config.redisPrefix}:session:*`);
      const values = await Promise.all(keys.map((key) => redis.hgetall(key)));
      return JSON.stringify({ keys, values });
    } finally {
      await redis.quit();
    }
  }

  async function signedIn(email: string): Promise<{ userId: number; token: string }> {
    const { user } = await app
      .get(UserService)
      .createUser({ email, role: 'agent', password: PASSWORD });
    const opened = await app.get(SignInService).signIn({ email, password: PASSWORD, ...CONTEXT });
    return { userId: user.id, token: opened.token };
  }

  it('stores only the SHA-256 of the token, with the IP and user agent', async () => {
    const { userId, token } = await signedIn('ann@example.com');
    const sessions = await app.get(SessionStore).listByUsers([userId]);
    expect(sessions).toEqual([
      expect.objectContaining({ id: hashSessionToken(token), userId, ...CONTEXT, revokedAt: null }),
    ]);
    const stored = await storedSessionsText();
    expect(stored).toContain(hashSessionToken(token));
    expect(stored).toContain(CONTEXT.userAgent);
    expect(stored).not.toContain(token);
  });

  it('forgets sessions 90 days after they expired, at the next sign-in', async () => {
    const { userId } = await signedIn('cat@example.com');
    clock.advance(12 * 3_600_000 + 90 * 24 * 3_600_000 - 1);
    await app
      .get(SignInService)
      .signIn({ email: 'cat@example.com', password: PASSWORD, ...CONTEXT });
    const sessions = app.get(SessionService);
    await expect(sessions.listForUsers([userId])).resolves.toHaveLength(2);
    clock.advance(2);
    await app
      .get(SignInService)
      .signIn({ email: 'cat@example.com', password: PASSWORD, ...CONTEXT });
    await expect(sessions.listForUsers([userId])).resolves.toHaveLength(2);
  });

  it('binds the CSRF token to the session', () => {
    const sessions = app.get(SessionService);
    const a = sessions.csrfToken(hashSessionToken('a'));
    expect(sessions.verifyCsrfToken(hashSessionToken('a'), a)).toBe(true);
    expect(sessions.verifyCsrfToken(hashSessionToken('b'), a)).toBe(false);
    expect(sessions.verifyCsrfToken(hashSessionToken('a'), undefined)).toBe(false);
  });

  it('exports the sign-in history without tokens or hashes, and erasure deletes it', async () => {
    const { userId, token } = await signedIn('bob@example.com');
    const contributor = app.get(IdentityContributor);
    const subject = { userId: String(userId), emails: [] };
    const parts = await contributor.exportSubject(subject);
    const history = parts.find((part) => part.category === 'sign_in_history');
    expect(history?.records).toEqual([
      {
        userId,
        createdAt: clock.now().toISOString(),
        lastSeenAt: clock.now().toISOString(),
        expiresAt: new Date(clock.now().getTime() + 12 * 3_600_000).toISOString(),
        revokedAt: null,
        ...CONTEXT,
      },
    ]);
    expect(JSON.stringify(parts)).not.toContain(hashSessionToken(token));
    expect(JSON.stringify(parts)).not.toContain(token);
    await expect(contributor.planErasure(subject)).resolves.toContainEqual({
      category: 'sign_in_history',
      action: 'delete',
      count: 1,
    });
    await expect(
      contributor.eraseSubject(subject, { label: 'Erased user 1' }),
    ).resolves.toContainEqual({ category: 'sign_in_history', deleted: 1, anonymised: 0 });
    await expect(app.get(SessionService).authenticate(token)).resolves.toBeUndefined();
    await expect(app.get(SessionStore).listByUsers([userId])).resolves.toEqual([]);
    expect(await storedSessionsText()).not.toContain(hashSessionToken(token));
  });

  it('knows a bcrypt hash of a lower cost needs rehashing', async () => {
    const hasher = app.get(PasswordHasher);
    expect(hasher.needsRehash(await hasher.hash(PASSWORD))).toBe(false);
    expect(hasher.needsRehash('$2b$04$abcdefghijklmnopqrstuu5a8pJ3G3G3G3G3G3G3G3G3G3G3G3G3G')).toBe(
      true,
    );
  });
});
