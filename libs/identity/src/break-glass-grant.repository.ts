import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In, IsNull, MoreThan } from 'typeorm';
import { BreakGlassGrantEntity } from './break-glass-grant.entity';
import { GroupMembershipEntity } from './group-membership.entity';
import { GroupEntity } from './group.entity';

export type BreakGlassGrantRow = Omit<BreakGlassGrantEntity, 'id' | 'user' | 'group'>;

/** Which grants a page lists: optionally one group's, optionally only those active at a time. */
export interface BreakGlassGrantFilter {
  readonly groupId?: number;
  readonly activeAt?: Date;
}

/** Break-glass grants, and the group and membership facts confidential access is decided on. */
@Injectable()
export class BreakGlassGrantRepository {
  constructor(private readonly db: Database) {}

  findById(id: number): Promise<BreakGlassGrantEntity | null> {
    return this.db.run((m) => m.findOneBy(BreakGlassGrantEntity, { id }));
  }

  insert(row: BreakGlassGrantRow): Promise<BreakGlassGrantEntity> {
    return this.db.run((m) => m.save(m.create(BreakGlassGrantEntity, row)));
  }

  /** One page of grants in id order, and how many match. */
  page(
    { groupId, activeAt }: BreakGlassGrantFilter,
    offset: number,
    limit: number,
  ): Promise<[BreakGlassGrantEntity[], number]> {
    return this.db.run((m) =>
      m.findAndCount(BreakGlassGrantEntity, {
        where: {
          ...(groupId === undefined ? {} : { groupId }),
          ...(activeAt === undefined ? {} : { endedAt: IsNull(), expiresAt: MoreThan(activeAt) }),
        },
        order: { id: 'ASC' },
        skip: offset,
        take: limit,
      }),
    );
  }

  /** The groups the user holds a grant for that has neither ended nor expired at `now`. */
  async activeGroupIdsOf(userId: number, now: Date): Promise<number[]> {
    const rows = await this.db.run((m) =>
      m.find(BreakGlassGrantEntity, {
        select: { groupId: true },
        where: { userId, endedAt: IsNull(), expiresAt: MoreThan(now) },
      }),
    );
    return [...new Set(rows.map((row) => row.groupId))];
  }

  /** Ends the grant unless it has already ended or expired; true when it did. */
  async end(id: number, now: Date): Promise<boolean> {
    const result = await this.db.run((m) =>
      m.update(
        BreakGlassGrantEntity,
        { id, endedAt: IsNull(), expiresAt: MoreThan(now) },
        { endedAt: now },
      ),
    );
    return (result.affected ?? 0) > 0;
  }

  /** Every grant these users held, oldest first (a data subject's export). */
  listOfUsers(userIds: readonly number[]): Promise<BreakGlassGrantEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(BreakGlassGrantEntity, {
        where: { userId: In([...userIds]) },
        relations: { group: true },
        order: { id: 'ASC' },
      }),
    );
  }

  /** Grants whose reason contains any of the terms, ignoring case. */
  findMentioning(terms: readonly string[]): Promise<BreakGlassGrantEntity[]> {
    if (terms.length === 0) return Promise.resolve([]);
    return this.db.run((m) => {
      const query = m.createQueryBuilder(BreakGlassGrantEntity, 'g');
      terms.forEach((term, i) => {
        const pattern = `%${term.toLowerCase().replace(/[!%_]/g, (ch) => `!${ch}`)}%`;
        query.orWhere(`LOWER(g.reason) LIKE :t${i} ESCAPE '!'`, { [`t${i}`]: pattern });
      });
      return query.orderBy('g.id', 'ASC').getMany();
    });
  }

  async updateReason(id: number, reason: string): Promise<void> {
    await this.db.run((m) => m.update(BreakGlassGrantEntity, { id }, { reason }));
  }

  /** Whether the group exists and is confidential; undefined when there is no such group. */
  async groupConfidentiality(groupId: number): Promise<boolean | undefined> {
    const group = await this.db.run((m) =>
      m.findOne(GroupEntity, { select: { id: true, confidential: true }, where: { id: groupId } }),
    );
    return group?.confidential;
  }

  /** Every confidential group's id, deleted groups included (their content stays confidential). */
  async confidentialGroupIds(): Promise<number[]> {
    const rows = await this.db.run((m) =>
      m.find(GroupEntity, { select: { id: true }, where: { confidential: true } }),
    );
    return rows.map((row) => row.id);
  }

  async memberGroupIdsOf(userId: number): Promise<number[]> {
    const rows = await this.db.run((m) =>
      m.find(GroupMembershipEntity, { select: { groupId: true }, where: { userId } }),
    );
    return rows.map((row) => row.groupId);
  }

  async isMember(userId: number, groupId: number): Promise<boolean> {
    return (await this.db.run((m) => m.countBy(GroupMembershipEntity, { userId, groupId }))) > 0;
  }

  async hasActiveGrant(userId: number, groupId: number, now: Date): Promise<boolean> {
    const count = await this.db.run((m) =>
      m.countBy(BreakGlassGrantEntity, {
        userId,
        groupId,
        endedAt: IsNull(),
        expiresAt: MoreThan(now),
      }),
    );
    return count > 0;
  }
}
