import type { INestApplicationContext } from '@nestjs/common';
import { ErrorCode, StewardError } from '@steward/platform';
import { freePort, type TestSetup } from '@steward/testing';
import { Redis } from 'ioredis';
import { SessionStore } from './session-store';
import { RedisSessionStore, SESSIONS_UNAVAILABLE } from './session-store.redis';
import { SESSION_HISTORY_RETENTION_MS } from './session.service';
import { startIdentityTestApp } from './testing/identity-test-app';
import {
  describeSessionStoreContract,
  type SessionStoreFixture,
  TestClock,
} from './testing/session-store-contract';
import { UserRepository } from './user.repository';
import { UserService } from './user.service';

const HOUR = 3_600_000;

describe('RedisSessionStore', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let redis: Redis;
  let fixture: SessionStoreFixture;
  const clock = new TestClock();
  const stores: RedisSessionStore[] = [];
  let users = 0;

  function store(redisUrl = setup.config.redisUrl): RedisSessionStore {
    const created = new RedisSessionStore(app.get(UserRepository), clock, {
      ...setup.config,
      redisUrl,
    });
    stores.push(created);
    return created;
  }

  async function createUser(): Promise<number> {
    users += 1;
    const email = `person${users}@example.com`;
    return (await app.get(UserService).createUser({ email, role: 'agent' })).user.id;
  }

  beforeAll(async () => {
    ({ app, setup } = await startIdentityTestApp({ clock }));
    redis = new Redis(setup.config.redisUrl ?? '');
    fixture = { store: store(), clock, createUser };
  });

  afterAll(async () => {
    for (const created of stores) await created.onApplicationShutdown();
    await redis?.quit();
    await app?.close();
    await setup?.cleanup();
  });

  describeSessionStoreContract('Redis', () => fixture);

  it('is the session store of the production shape', () => {
    expect(app.get(SessionStore)).toBeInstanceOf(RedisSessionStore);
  });

  it('round-trips fields it does not know: booleans, Dates and nulls, inserted or patched', async () => {
    const userId = await createUser();
    const now = clock.now();
    const session = {
      id: 'f'.repeat(64),
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + 12 * HOUR),
      mustChangePassword: false,
      authenticatedAt: new Date(now.getTime() - 5_000),
      pendingStep: null,
      ip: null,
      userAgent: 'Firefox/140',
      revokedAt: null,
      twoFactorPending: true,
      stepUpAt: null,
      lockedAt: new Date(now.getTime() - 1),
      note: 'd1 is not a date',
    };
    const sessions = store();
    await sessions.insert(session);
    expect((await sessions.findActive(session.id))?.session).toEqual(session);
    const patch = {
      twoFactorPending: false,
      lockedAt: null,
      stepUpAt: clock.now(),
      authenticatedAt: null,
    };
    await expect(sessions.update(session.id, patch)).resolves.toBe(true);
    await expect(sessions.listByUsers([userId])).resolves.toEqual([{ ...session, ...patch }]);
  });

  it('keeps a session, revoked or not, for the sign-in history after it ends, in no key by email', async () => {
    const userId = await createUser();
    const now = clock.now();
    const session = {
      id: 'e'.repeat(64),
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + 12 * HOUR),
      mustChangePassword: false,
      authenticatedAt: now,
      pendingStep: null,
      ip: '192.0.2.9',
      userAgent: null,
      revokedAt: null,
    };
    const sessions = store();
    await sessions.insert(session);
    await sessions.revoke(session.id, now);
    const key = `${setup.config.redisPrefix}:session:${session.id}`;
    const index = `${setup.config.redisPrefix}:user-sessions:${userId}`;
    const retention = 12 * HOUR + SESSION_HISTORY_RETENTION_MS;
    for (const ttl of [await redis.pttl(key), await redis.pttl(index)]) {
      expect(ttl).toBeGreaterThan(retention - 60_000);
      expect(ttl).toBeLessThanOrEqual(retention);
    }
    // An update that moves the end moves the retention with it, index included.
    const later = new Date(now.getTime() + 36 * HOUR);
    const open = { ...session, id: 'd'.repeat(64), revokedAt: null };
    await sessions.insert(open);
    await sessions.update(open.id, { expiresAt: later });
    const moved = 36 * HOUR + SESSION_HISTORY_RETENTION_MS;
    for (const ttl of [
      await redis.pttl(key.replace(session.id, open.id)),
      await redis.pttl(index),
    ]) {
      expect(ttl).toBeGreaterThan(moved - 60_000);
    }
    const keys = await redis.keys(`${setup.config.redisPrefix}:*`);
    expect(keys.join()).not.toContain('@');
  });

  it('trims index entries whose session Redis has expired, at the next sign-in', async () => {
    const userId = await createUser();
    const now = clock.now();
    const base = {
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + HOUR),
      mustChangePassword: false,
      authenticatedAt: now,
      pendingStep: null,
      ip: null,
      userAgent: null,
      revokedAt: null,
    };
    const sessions = store();
    const gone = { ...base, id: 'c'.repeat(64) };
    const kept = { ...base, id: 'b'.repeat(64) };
    await sessions.insert(gone);
    await redis.del(`${setup.config.redisPrefix}:session:${gone.id}`);
    await sessions.insert(kept);
    const index = `${setup.config.redisPrefix}:user-sessions:${userId}`;
    await expect(redis.zrange(index, 0, -1)).resolves.toEqual([kept.id]);
  });

  it('re-creates no key when a touch, update or revocation comes after an erasure', async () => {
    const userId = await createUser();
    const now = clock.now();
    const sessions = store();
    const id = '9'.repeat(64);
    await sessions.insert({
      id,
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + HOUR),
      mustChangePassword: false,
      authenticatedAt: now,
      pendingStep: null,
      ip: null,
      userAgent: null,
      revokedAt: null,
    });
    await expect(sessions.deleteByUsers([userId])).resolves.toBe(1);
    const later = new Date(now.getTime() + 2 * 60_000);
    await sessions.touch(id, later, later);
    await expect(sessions.update(id, { expiresAt: later })).resolves.toBe(false);
    await expect(sessions.revoke(id, later)).resolves.toBe(false);
    await expect(redis.keys(`${setup.config.redisPrefix}:*${id}*`)).resolves.toEqual([]);
    await expect(redis.exists(`${setup.config.redisPrefix}:user-sessions:${userId}`)).resolves.toBe(
      0,
    );
  });

  it('answers Unavailable (503), quickly, when Redis is down', async () => {
    const down = store(`redis://127.0.0.1:${await freePort()}/0`);
    const started = Date.now();
    for (const attempt of [
      () => down.findActive('a'.repeat(64)),
      () => down.revoke('a'.repeat(64), clock.now()),
      () => down.listByUsers([1]),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StewardError);
      expect(error).toMatchObject({ code: ErrorCode.Unavailable, message: SESSIONS_UNAVAILABLE });
    }
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
