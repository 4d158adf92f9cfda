import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In, IsNull, LessThan } from 'typeorm';
import { TwoFactorCredentialEntity } from './two-factor-credential.entity';
import { TwoFactorRecoveryCodeEntity } from './two-factor-recovery-code.entity';

/** The `two_factor_credentials` and `two_factor_recovery_codes` tables. */
@Injectable()
export class TwoFactorRepository {
  constructor(private readonly db: Database) {}

  findByUser(userId: number): Promise<TwoFactorCredentialEntity | null> {
    return this.db.run((m) => m.findOneBy(TwoFactorCredentialEntity, { userId }));
  }

  /** Replaces whatever credential the user had (a pending one) with this pending one. */
  async replacePending(row: Omit<TwoFactorCredentialEntity, 'id' | 'user'>): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.delete(TwoFactorCredentialEntity, { userId: row.userId });
      await m.insert(TwoFactorCredentialEntity, row);
    });
  }

  /**
   * Records `timeStep` as the last accepted one unless it was recorded already (or a later one
   * was): true only for the first caller, so two requests cannot both use one code.
   */
  async claimTimeStep(id: number, timeStep: number): Promise<boolean> {
    const result = await this.db.run((m) =>
      m.update(
        TwoFactorCredentialEntity,
        [
          { id, lastTimeStep: IsNull() },
          { id, lastTimeStep: LessThan(timeStep) },
        ],
        { lastTimeStep: timeStep },
      ),
    );
    return (result.affected ?? 0) > 0;
  }

  async enable(id: number, now: Date): Promise<void> {
    await this.db.run((m) => m.update(TwoFactorCredentialEntity, { id }, { enabledAt: now }));
  }

  /** Replaces the user's recovery codes with these hashes. */
  async replaceRecoveryCodes(userId: number, hashes: readonly string[], now: Date): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.delete(TwoFactorRecoveryCodeEntity, { userId });
      await m.insert(
        TwoFactorRecoveryCodeEntity,
        hashes.map((codeHash) => ({ userId, codeHash, createdAt: now, usedAt: null })),
      );
    });
  }

  /** Marks the user's unused code with this hash used; true only for the one call that did. */
  async useRecoveryCode(userId: number, codeHash: string, now: Date): Promise<boolean> {
    const result = await this.db.run((m) =>
      m.update(
        TwoFactorRecoveryCodeEntity,
        { userId, codeHash, usedAt: IsNull() },
        { usedAt: now },
      ),
    );
    return (result.affected ?? 0) > 0;
  }

  countUnusedRecoveryCodes(userId: number): Promise<number> {
    return this.db.run((m) => m.countBy(TwoFactorRecoveryCodeEntity, { userId, usedAt: IsNull() }));
  }

  listByUsers(userIds: readonly number[]): Promise<TwoFactorCredentialEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(TwoFactorCredentialEntity, {
        where: { userId: In([...userIds]) },
        order: { id: 'ASC' },
      }),
    );
  }

  listRecoveryCodesByUsers(userIds: readonly number[]): Promise<TwoFactorRecoveryCodeEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(TwoFactorRecoveryCodeEntity, {
        where: { userId: In([...userIds]) },
        order: { id: 'ASC' },
      }),
    );
  }

  /** Deletes the users' credentials and recovery codes; returns how many rows of each. */
  async deleteByUsers(
    userIds: readonly number[],
  ): Promise<{ credentials: number; recoveryCodes: number }> {
    if (userIds.length === 0) return { credentials: 0, recoveryCodes: 0 };
    return this.db.transaction(async (m) => {
      const codes = await m.delete(TwoFactorRecoveryCodeEntity, { userId: In([...userIds]) });
      const credentials = await m.delete(TwoFactorCredentialEntity, { userId: In([...userIds]) });
      return { credentials: credentials.affected ?? 0, recoveryCodes: codes.affected ?? 0 };
    });
  }
}
