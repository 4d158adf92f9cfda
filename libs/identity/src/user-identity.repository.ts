import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In, Not } from 'typeorm';
import { UserIdentityEntity, type UserIdentityType } from './user-identity.entity';

export type UserIdentityRow = Omit<UserIdentityEntity, 'id' | 'user'>;

@Injectable()
export class UserIdentityRepository {
  constructor(private readonly db: Database) {}

  /** The user's identities, primary first, then oldest first. */
  listOfUser(userId: number): Promise<UserIdentityEntity[]> {
    return this.db.run((m) =>
      m.find(UserIdentityEntity, { where: { userId }, order: { primary: 'DESC', id: 'ASC' } }),
    );
  }

  listOfUsers(userIds: readonly number[]): Promise<UserIdentityEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(UserIdentityEntity, { where: { userId: In([...userIds]) }, order: { id: 'ASC' } }),
    );
  }

  /** The identity only when it belongs to the user. */
  findOfUser(userId: number, id: number): Promise<UserIdentityEntity | null> {
    return this.db.run((m) => m.findOneBy(UserIdentityEntity, { id, userId }));
  }

  findByValue(type: UserIdentityType, value: string): Promise<UserIdentityEntity | null> {
    return this.db.run((m) => m.findOneBy(UserIdentityEntity, { type, value }));
  }

  insert(row: UserIdentityRow): Promise<UserIdentityEntity> {
    return this.db.run((m) => m.save(m.create(UserIdentityEntity, row)));
  }

  async update(id: number, changes: Partial<UserIdentityRow>): Promise<void> {
    await this.db.run((m) => m.update(UserIdentityEntity, { id }, changes));
  }

  async delete(id: number): Promise<void> {
    await this.db.run((m) => m.delete(UserIdentityEntity, { id }));
  }

  /** Makes no identity of the user primary but this one. */
  async clearPrimaryExcept(userId: number, id: number, now: Date): Promise<void> {
    await this.db.run((m) =>
      m.update(
        UserIdentityEntity,
        { userId, primary: true, id: Not(id) },
        { primary: false, updatedAt: now },
      ),
    );
  }

  async deleteOfUsers(userIds: readonly number[]): Promise<number> {
    if (userIds.length === 0) return 0;
    const result = await this.db.run((m) =>
      m.delete(UserIdentityEntity, { userId: In([...userIds]) }),
    );
    return result.affected ?? 0;
  }
}
