import type { SessionEntity } from './session.entity';
import type { UserEntity } from './user.entity';

/** A session as stored: the row without its user relation. */
export type SessionRecord = Omit<SessionEntity, 'user'>;

/** What may change on a live session after it was opened. */
export type SessionPatch = Partial<Omit<SessionRecord, 'id' | 'userId' | 'createdAt'>>;

/** An unrevoked session with its user, as one read of the hot path. */
export interface StoredSession {
  readonly session: SessionRecord;
  readonly user: UserEntity;
}

/**
 * Where web sessions live: the database in the embedded shape (`SessionRepository`), Redis in
 * the production shape (`RedisSessionStore`). Both keep a revoked or expired session for the
 * sign-in history until `deleteExpiredBefore` or `deleteByUsers` removes it.
 */
export abstract class SessionStore {
  abstract insert(session: SessionRecord): Promise<void>;

  /** The unrevoked session with this id, joined to its user. */
  abstract findActive(id: string): Promise<StoredSession | undefined>;

  /** Marks the session seen at `now` unless it was marked since `staleBefore`. */
  abstract touch(id: string, now: Date, staleBefore: Date): Promise<void>;

  /** Changes an unrevoked session; false when there is none with this id. */
  abstract update(id: string, patch: SessionPatch): Promise<boolean>;

  /** Revokes the session; false when it was revoked already or never existed. */
  abstract revoke(id: string, now: Date): Promise<boolean>;

  /** Revokes every unrevoked session of the user; returns how many. */
  abstract revokeByUser(userId: number, now: Date): Promise<number>;

  /** Deletes the user's sessions that expired before `before`; returns how many. */
  abstract deleteExpiredBefore(userId: number, before: Date): Promise<number>;

  /** Every stored session of these users, revoked ones included, oldest first. */
  abstract listByUsers(userIds: readonly number[]): Promise<SessionRecord[]>;

  /** Deletes every session of these users; returns how many. */
  abstract deleteByUsers(userIds: readonly number[]): Promise<number>;
}
