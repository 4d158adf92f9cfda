import { describe, expect, it } from '@jest/globals';
import { Clock } from '@steward/platform';
import type { SessionRecord, SessionStore } from '../session-store';

/** A clock the tests move by hand. */
export class TestClock extends Clock {
  private current = new Date('2026-11-21T08:00:00.000Z');

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** What the contract runs against: a store, the clock it was given, and a way to add users. */
export interface SessionStoreFixture {
  readonly store: SessionStore;
  readonly clock: TestClock;
  /** Creates a user in the database; resolves its id. */
  readonly createUser: () => Promise<number>;
}

const HOUR = 3_600_000;
let sequence = 0;

/** A session id as the service makes them: 64 hex digits (these sort in creation order). */
function sessionId(): string {
  sequence += 1;
  return sequence.toString(16).padStart(64, '0');
}

/**
 * The semantics every SessionStore must have (the table in the embedded shape, Redis in the
 * production shape), written once and run against each. `fixture` is read inside each test, so
 * the spec may build it in its beforeAll.
 */
export function describeSessionStoreContract(
  name: string,
  fixture: () => SessionStoreFixture,
): void {
  describe(`SessionStore contract (${name})`, () => {
    /**
     * A session opened now. Tests insert copies: TypeORM's insert writes the persisted values
     * back into the object it is given (on MariaDB, 1 for `true`).
     */
    function record(userId: number, changes: Partial<SessionRecord> = {}): SessionRecord {
      const now = fixture().clock.now();
      return {
        id: sessionId(),
        userId,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + 12 * HOUR),
        mustChangePassword: false,
        authenticatedAt: now,
        pendingStep: null,
        ip: '192.0.2.7',
        userAgent: 'Firefox/140',
        revokedAt: null,
        ...changes,
      };
    }

    async function stored(userId: number, id: string): Promise<SessionRecord | undefined> {
      return (await fixture().store.listByUsers([userId])).find((s) => s.id === id);
    }

    it('finds an inserted session with its user, every field as it was given', async () => {
      const { store, createUser } = fixture();
      const userId = await createUser();
      const session = record(userId, {
        mustChangePassword: true,
        pendingStep: 'two_factor',
        ip: null,
      });
      await store.insert({ ...session });
      const found = await store.findActive(session.id);
      expect(found?.session).toMatchObject({ ...session });
      expect(found?.session.createdAt).toBeInstanceOf(Date);
      expect(found?.user.id).toBe(userId);
      await expect(store.findActive(sessionId())).resolves.toBeUndefined();
      await expect(stored(userId, session.id)).resolves.toMatchObject({ ...session });
    });

    it('marks a session seen only when its mark is older than staleBefore', async () => {
      const { store, clock, createUser } = fixture();
      const userId = await createUser();
      const session = record(userId);
      await store.insert({ ...session });
      clock.advance(30_000);
      await store.touch(session.id, clock.now(), session.lastSeenAt);
      expect((await stored(userId, session.id))?.lastSeenAt).toEqual(session.lastSeenAt);
      const seen = clock.now();
      await store.touch(session.id, seen, new Date(session.lastSeenAt.getTime() + 1));
      expect((await stored(userId, session.id))?.lastSeenAt).toEqual(seen);
      await store.touch(sessionId(), seen, seen);
    });

    it('updates an unrevoked session, never a revoked or unknown one', async () => {
      const { store, clock, createUser } = fixture();
      const userId = await createUser();
      const session = record(userId, { mustChangePassword: true });
      await store.insert({ ...session });
      const expiresAt = new Date(clock.now().getTime() + 24 * HOUR);
      await expect(
        store.update(session.id, { mustChangePassword: false, expiresAt }),
      ).resolves.toBe(true);
      expect((await store.findActive(session.id))?.session).toMatchObject({
        ...session,
        mustChangePassword: false,
        expiresAt,
      });
      await store.revoke(session.id, clock.now());
      await expect(store.update(session.id, { mustChangePassword: true })).resolves.toBe(false);
      expect((await stored(userId, session.id))?.mustChangePassword).toBe(false);
      await expect(store.update(sessionId(), { mustChangePassword: true })).resolves.toBe(false);
    });

    it('revokes once: a second revocation, or one of an unknown session, answers false', async () => {
      const { store, clock, createUser } = fixture();
      const userId = await createUser();
      const session = record(userId);
      await store.insert({ ...session });
      const now = clock.now();
      await expect(store.revoke(session.id, now)).resolves.toBe(true);
      clock.advance(1_000);
      await expect(store.revoke(session.id, clock.now())).resolves.toBe(false);
      await expect(store.revoke(sessionId(), clock.now())).resolves.toBe(false);
      await expect(store.findActive(session.id)).resolves.toBeUndefined();
      // Kept for the sign-in history, with the time of the first revocation.
      expect((await stored(userId, session.id))?.revokedAt).toEqual(now);
    });

    it("revokes every unrevoked session of a user, and no one else's", async () => {
      const { store, clock, createUser } = fixture();
      const [userId, otherId] = [await createUser(), await createUser()];
      const sessions = [record(userId), record(userId), record(userId)];
      const other = record(otherId);
      for (const session of [...sessions, other]) await store.insert({ ...session });
      await store.revoke(sessions[0]?.id ?? '', clock.now());
      await expect(store.revokeByUser(userId, clock.now())).resolves.toBe(2);
      for (const session of sessions) {
        await expect(store.findActive(session.id)).resolves.toBeUndefined();
      }
      await expect(store.findActive(other.id)).resolves.toBeDefined();
      await expect(store.revokeByUser(userId, clock.now())).resolves.toBe(0);
    });

    it("deletes a user's sessions that expired before the given time, and nothing else", async () => {
      const { store, clock, createUser } = fixture();
      const [userId, otherId] = [await createUser(), await createUser()];
      const start = clock.now().getTime();
      const early = record(userId, { expiresAt: new Date(start + HOUR) });
      const exact = record(userId, { expiresAt: new Date(start + 2 * HOUR) });
      const late = record(userId, { expiresAt: new Date(start + 3 * HOUR) });
      const others = record(otherId, { expiresAt: new Date(start + HOUR) });
      for (const session of [early, exact, late, others]) await store.insert({ ...session });
      await expect(store.deleteExpiredBefore(userId, new Date(start + 2 * HOUR))).resolves.toBe(1);
      const left = await store.listByUsers([userId, otherId]);
      expect(left.map((s) => s.id)).toEqual([exact.id, late.id, others.id]);
    });

    it('lists the sessions of several users, revoked ones too, oldest first', async () => {
      const { store, clock, createUser } = fixture();
      const [a, b, c] = [await createUser(), await createUser(), await createUser()];
      const first = record(b);
      clock.advance(1_000);
      const second = record(a);
      const sameTime = record(b);
      clock.advance(1_000);
      const third = record(a);
      const unlisted = record(c);
      for (const session of [third, sameTime, unlisted, second, first]) {
        await store.insert({ ...session });
      }
      await store.revoke(second.id, clock.now());
      const listed = await store.listByUsers([a, b]);
      expect(listed.map((s) => s.id)).toEqual([first.id, second.id, sameTime.id, third.id]);
      expect(listed[1]?.revokedAt).toEqual(clock.now());
      expect(listed[0]).toMatchObject({ ...first });
      await expect(store.listByUsers([])).resolves.toEqual([]);
    });

    it('deletes every session of the given users, and says how many', async () => {
      const { store, clock, createUser } = fixture();
      const [userId, otherId] = [await createUser(), await createUser()];
      const mine = [record(userId), record(userId)];
      const other = record(otherId);
      for (const session of [...mine, other]) await store.insert({ ...session });
      await store.revoke(mine[0]?.id ?? '', clock.now());
      await expect(store.deleteByUsers([userId])).resolves.toBe(2);
      await expect(store.listByUsers([userId])).resolves.toEqual([]);
      await expect(store.findActive(mine[1]?.id ?? '')).resolves.toBeUndefined();
      await expect(store.listByUsers([otherId])).resolves.toHaveLength(1);
      await expect(store.deleteByUsers([])).resolves.toBe(0);
    });

    it('never resurrects a session: a touch or update racing a revocation or erasure', async () => {
      const { store, clock, createUser } = fixture();
      const userId = await createUser();
      for (let round = 0; round < 20; round++) {
        const session = record(userId);
        await store.insert({ ...session });
        clock.advance(2 * 60_000);
        const now = clock.now();
        const [, revoked] = await Promise.all([
          store.touch(session.id, now, now),
          store.revoke(session.id, now),
          store.update(session.id, { mustChangePassword: true }),
          store.touch(session.id, now, new Date(now.getTime() + 1)),
        ]);
        expect(revoked).toBe(true);
        await expect(store.findActive(session.id)).resolves.toBeUndefined();
        expect((await stored(userId, session.id))?.revokedAt).toEqual(now);
      }
      const erased = record(userId);
      await store.insert({ ...erased });
      clock.advance(2 * 60_000);
      const now = clock.now();
      await Promise.all([
        store.deleteByUsers([userId]),
        store.touch(erased.id, now, new Date(now.getTime() + 1)),
        store.update(erased.id, { mustChangePassword: true }),
        store.revoke(erased.id, now),
      ]);
      await expect(store.findActive(erased.id)).resolves.toBeUndefined();
      await expect(store.listByUsers([userId])).resolves.toEqual([]);
    });
  });
}
