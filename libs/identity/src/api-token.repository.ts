import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In, IsNull, LessThan } from 'typeorm';
import { ApiTokenEntity } from './api-token.entity';
import { UserEntity } from './user.entity';

/** An unrevoked token with its user, as one row of the hot path. */
export interface ActiveToken {
  readonly token: ApiTokenEntity;
  readonly user: UserEntity;
}

@Injectable()
export class ApiTokenRepository {
  constructor(private readonly db: Database) {}

  insert(token: Omit<ApiTokenEntity, 'id' | 'user'>): Promise<ApiTokenEntity> {
    return this.db.run((m) => m.save(m.create(ApiTokenEntity, token)));
  }

  findById(id: number): Promise<ApiTokenEntity | null> {
    return this.db.run((m) => m.findOneBy(ApiTokenEntity, { id }));
  }

  listByUsers(userIds: readonly number[]): Promise<ApiTokenEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(ApiTokenEntity, { where: { userId: In([...userIds]) }, order: { id: 'ASC' } }),
    );
  }

  /**
   * One SELECT on the unique token_hash index, joined to the user. (`find`, not `findOne`:
   * TypeORM answers a joined query with a limit in two round trips.)
   */
  async findActiveByHash(tokenHash: string): Promise<ActiveToken | undefined> {
    const [token] = await this.db.run((m) =>
      m.find(ApiTokenEntity, {
        where: { tokenHash, revokedAt: IsNull() },
        relations: { user: true },
      }),
    );
    if (!token?.user) return undefined;
    const { user, ...row } = token;
    return { token: Object.assign(new ApiTokenEntity(), row), user };
  }

  /** Marks the token used at `now` unless it was marked since `staleBefore` (by any process). */
  async touch(id: number, now: Date, staleBefore: Date): Promise<void> {
    await this.db.run((m) =>
      m.update(
        ApiTokenEntity,
        [
          { id, lastUsedAt: IsNull() },
          { id, lastUsedAt: LessThan(staleBefore) },
        ],
        { lastUsedAt: now },
      ),
    );
  }

  /** Sets revoked_at when the token is not revoked yet; true when it changed. */
  async revoke(id: number, now: Date): Promise<boolean> {
    const result = await this.db.run((m) =>
      m.update(ApiTokenEntity, { id, revokedAt: IsNull() }, { revokedAt: now }),
    );
    return (result.affected ?? 0) > 0;
  }

  async deleteByUsers(userIds: readonly number[]): Promise<number> {
    if (userIds.length === 0) return 0;
    const result = await this.db.run((m) => m.delete(ApiTokenEntity, { userId: In([...userIds]) }));
    return result.affected ?? 0;
  }
}
