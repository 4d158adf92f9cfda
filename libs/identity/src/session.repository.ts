import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In, IsNull, LessThan } from 'typeorm';
import { SessionEntity } from './session.entity';
import type { UserEntity } from './user.entity';

/** An unrevoked session with its user, as one row of the hot path. */
export interface StoredSession {
  readonly session: SessionEntity;
  readonly user: UserEntity;
}

@Injectable()
export class SessionRepository {
  constructor(private readonly db: Database) {}

  async insert(session: Omit<SessionEntity, 'user'>): Promise<void> {
    await this.db.run((m) => m.insert(SessionEntity, session));
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

  listByUsers(userIds: readonly number[]): Promise<SessionEntity[]> {
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
