import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In } from 'typeorm';
import { GroupMembershipEntity } from './group-membership.entity';
import { UserEntity, type UserRole } from './user.entity';

/** `%`, `_` and the escape character itself stand for themselves in a LIKE pattern. */
function likeContains(term: string): string {
  return `%${term.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

@Injectable()
export class UserRepository {
  constructor(private readonly db: Database) {}

  findById(id: number): Promise<UserEntity | null> {
    return this.findOne('u.id = :id', { id });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.findOne('u.email = :email', { email });
  }

  findByExternalId(externalId: string): Promise<UserEntity | null> {
    return this.findOne('u.external_id = :externalId', { externalId });
  }

  /**
   * The user a unique column names, with their custom role, in one query: `findOneBy` would
   * add a DISTINCT query first to page over the (eager) join, on every authenticated request.
   */
  private findOne(where: string, params: Record<string, unknown>): Promise<UserEntity | null> {
    return this.db.run((m) =>
      m
        .createQueryBuilder(UserEntity, 'u')
        .leftJoinAndSelect('u.customRole', 'customRole')
        .where(where, params)
        .getOne(),
    );
  }

  countByRole(role: UserRole): Promise<number> {
    return this.db.run((m) => m.countBy(UserEntity, { role }));
  }

  insert(user: Omit<UserEntity, 'id'>): Promise<UserEntity> {
    return this.db.run((m) => m.save(m.create(UserEntity, user)));
  }

  async update(id: number, changes: Partial<Omit<UserEntity, 'id'>>): Promise<void> {
    await this.db.run((m) => m.update(UserEntity, { id }, changes));
  }

  /** One page of users in id order (of these roles when given), and how many there are. */
  page(
    offset: number,
    limit: number,
    roles?: readonly UserRole[],
  ): Promise<[UserEntity[], number]> {
    return this.db.run((m) =>
      m.findAndCount(UserEntity, {
        where: roles === undefined ? {} : { role: In([...roles]) },
        order: { id: 'ASC' },
        skip: offset,
        take: limit,
      }),
    );
  }

  /** The default group of each of these users that has one (`users.default_group_id`). */
  async defaultGroupIds(userIds: readonly number[]): Promise<Map<number, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db.run((m) =>
      m.find(GroupMembershipEntity, {
        select: { userId: true, groupId: true },
        where: { userId: In([...userIds]), isDefault: true },
      }),
    );
    return new Map(rows.map((row) => [row.userId, row.groupId]));
  }

  /** Users whose email or name contains the term (no wildcards: the term is matched literally). */
  search(term: string, offset: number, limit: number): Promise<[UserEntity[], number]> {
    // `!` escapes: a backslash means different things in SQLite and MySQL string literals.
    const pattern = likeContains(term);
    return this.db.run((m) =>
      m
        .createQueryBuilder(UserEntity, 'u')
        .where(
          "(LOWER(u.email) LIKE :pattern ESCAPE '!' OR LOWER(u.name) LIKE :pattern ESCAPE '!')",
          {
            pattern,
          },
        )
        .orderBy('u.id', 'ASC')
        .skip(offset)
        .take(limit)
        .getManyAndCount(),
    );
  }
}
