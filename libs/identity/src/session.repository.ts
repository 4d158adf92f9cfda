import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In, IsNull, LessThan } from 'typeorm';
import { SessionEntity } from './session.entity';
import {
  type SessionPatch,
  type SessionRecord,
  SessionStore,
  type StoredSession,
} from './session-store';

/** The embedded shape's session store: the `sessions` table. */
@Injectable()
export class SessionRepository extends SessionStore {
  constructor(private readonly db: Database) {
    super();
  }

  async insert(session: SessionRecord): Promise<void> {
    await this.db.run((m) => m.insert(SessionEntity, { ...session }));
  }

  /** One SELECT on the primary key, joined to the user. */
  async findActive(id: string): Promise<StoredSession | undefined> {
    const [row] = await this.db.run((m) =>
      m.find(SessionEntity, { where: { id, revokedAt: IsNull() }, relations: { user: true } }),
    );
    if (!row?.user) return undefined;
    const { user, ...session } = row;
    return { session: Object.assign(new SessionEntity(), session), user };
  }

  /** Marks the session seen at `now` unless it was marked since `staleBefore`. */
  async touch(id: string, now: Date, staleBefore: Date): Promise<void> {
    await this.db.run((m) =>
      m.update(SessionEntity, { id, lastSeenAt: LessThan(staleBefore) }, { lastSeenAt: now }),
    );
  }

  async update(id: string, patch: SessionPatch): Promise<boolean> {
    const result = await this.db.run((m) =>
      m.update(SessionEntity, { id, revokedAt: IsNull() }, patch),
    );
    return (result.affected ?? 0) > 0;
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    const result = await this.db.run((m) =>
      m.update(SessionEntity, { id, revokedAt: IsNull() }, { revokedAt: now }),
    );
    return (result.affected ?? 0) > 0;
  }

  async revokeByUser(userId: number, now: Date): Promise<number> {
    const result = await this.db.run((m) =>
      m.update(SessionEntity, { userId, revokedAt: IsNull() }, { revokedAt: now }),
    );
    return result.affected ?? 0;
  }

  /** Deletes the user's sessions that ended (expired) before `before`; returns how many. */
  async deleteExpiredBefore(userId: number, before: Date): Promise<number> {
    const result = await this.db.run((m) =>
      m.delete(SessionEntity, { userId, expiresAt: LessThan(before) }),
    );
    return result.affected ?? 0;
  }

  listByUsers(userIds: readonly number[]): Promise<SessionRecord[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(SessionEntity, {
        where: { userId: In([...userIds]) },
        order: { createdAt: 'ASC', id: 'ASC' },
      }),
    );
  }

  async deleteByUsers(userIds: readonly number[]): Promise<number> {
    if (userIds.length === 0) return 0;
    const result = await this.db.run((m) => m.delete(SessionEntity, { userId: In([...userIds]) }));
    return result.affected ?? 0;
  }
}
