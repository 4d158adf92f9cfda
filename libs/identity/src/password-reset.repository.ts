import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In, IsNull, MoreThan } from 'typeorm';
import { PasswordResetEntity } from './password-reset.entity';

@Injectable()
export class PasswordResetRepository {
  constructor(private readonly db: Database) {}

  async insert(row: Omit<PasswordResetEntity, 'id' | 'user'>): Promise<void> {
    await this.db.run((m) => m.insert(PasswordResetEntity, row));
  }

  findUsable(tokenHash: string, now: Date): Promise<PasswordResetEntity | null> {
    return this.db.run((m) =>
      m.findOneBy(PasswordResetEntity, { tokenHash, usedAt: IsNull(), expiresAt: MoreThan(now) }),
    );
  }

  /** Marks every unused token of the user used; true when `id` was among them (one use only). */
  async useAll(userId: number, id: number, now: Date): Promise<boolean> {
    return this.db.run(async (m) => {
      const claimed = await m.update(
        PasswordResetEntity,
        { id, usedAt: IsNull() },
        { usedAt: now },
      );
      await m.update(PasswordResetEntity, { userId, usedAt: IsNull() }, { usedAt: now });
      return (claimed.affected ?? 0) > 0;
    });
  }

  listByUsers(userIds: readonly number[]): Promise<PasswordResetEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(PasswordResetEntity, { where: { userId: In([...userIds]) }, order: { id: 'ASC' } }),
    );
  }

  async deleteByUsers(userIds: readonly number[]): Promise<number> {
    if (userIds.length === 0) return 0;
    const result = await this.db.run((m) =>
      m.delete(PasswordResetEntity, { userId: In([...userIds]) }),
    );
    return result.affected ?? 0;
  }
}
