import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In, Not } from 'typeorm';
import { GroupMembershipEntity } from './group-membership.entity';

export type GroupMembershipRow = Omit<GroupMembershipEntity, 'id' | 'user' | 'group'>;

/** Which memberships a page lists: all, a user's, or a group's. */
export type MembershipFilter =
  { readonly userId: number } | { readonly groupId: number } | Record<string, never>;

@Injectable()
export class GroupMembershipRepository {
  constructor(private readonly db: Database) {}

  findById(id: number): Promise<GroupMembershipEntity | null> {
    return this.db.run((m) => m.findOneBy(GroupMembershipEntity, { id }));
  }

  find(userId: number, groupId: number): Promise<GroupMembershipEntity | null> {
    return this.db.run((m) => m.findOneBy(GroupMembershipEntity, { userId, groupId }));
  }

  page(
    filter: MembershipFilter,
    offset: number,
    limit: number,
  ): Promise<[GroupMembershipEntity[], number]> {
    return this.db.run((m) =>
      m.findAndCount(GroupMembershipEntity, {
        where: { ...filter },
        order: { id: 'ASC' },
        skip: offset,
        take: limit,
      }),
    );
  }

  countOfUser(userId: number): Promise<number> {
    return this.db.run((m) => m.countBy(GroupMembershipEntity, { userId }));
  }

  /** Every membership of these users, with the group's name (for a data subject's export). */
  listOfUsers(userIds: readonly number[]): Promise<GroupMembershipEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(GroupMembershipEntity, {
        where: { userId: In([...userIds]) },
        relations: { group: true },
        order: { id: 'ASC' },
      }),
    );
  }

  insert(row: GroupMembershipRow): Promise<GroupMembershipEntity> {
    return this.db.run((m) => m.save(m.create(GroupMembershipEntity, row)));
  }

  /** Makes none of the user's memberships but this one the default. */
  async clearDefaultExcept(userId: number, id: number, now: Date): Promise<void> {
    await this.db.run((m) =>
      m.update(
        GroupMembershipEntity,
        { userId, isDefault: true, id: Not(id) },
        { isDefault: false, updatedAt: now },
      ),
    );
  }

  /** Makes the user's oldest membership the default when none is. */
  async ensureDefault(userId: number, now: Date): Promise<void> {
    await this.db.run(async (m) => {
      const memberships = await m.find(GroupMembershipEntity, {
        where: { userId },
        order: { id: 'ASC' },
      });
      const first = memberships[0];
      if (!first || memberships.some((row) => row.isDefault)) return;
      await m.update(GroupMembershipEntity, { id: first.id }, { isDefault: true, updatedAt: now });
    });
  }

  async delete(id: number): Promise<void> {
    await this.db.run((m) => m.delete(GroupMembershipEntity, { id }));
  }

  /** Deletes every membership of the group; returns the users who were members. */
  async deleteOfGroup(groupId: number): Promise<number[]> {
    return this.db.run(async (m) => {
      const rows = await m.findBy(GroupMembershipEntity, { groupId });
      await m.delete(GroupMembershipEntity, { groupId });
      return rows.map((row) => row.userId);
    });
  }

  async deleteOfUsers(userIds: readonly number[]): Promise<number> {
    if (userIds.length === 0) return 0;
    const result = await this.db.run((m) =>
      m.delete(GroupMembershipEntity, { userId: In([...userIds]) }),
    );
    return result.affected ?? 0;
  }
}
