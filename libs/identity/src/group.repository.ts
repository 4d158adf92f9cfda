import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { IsNull, Not } from 'typeorm';
import { GroupEntity } from './group.entity';

export type GroupRow = Omit<GroupEntity, 'id'>;

@Injectable()
export class GroupRepository {
  constructor(private readonly db: Database) {}

  findById(id: number): Promise<GroupEntity | null> {
    return this.db.run((m) => m.findOneBy(GroupEntity, { id }));
  }

  /** The group new tickets go to when nobody chose one, unless it was deleted. */
  findDefault(): Promise<GroupEntity | null> {
    return this.db.run((m) => m.findOneBy(GroupEntity, { isDefault: true, deletedAt: IsNull() }));
  }

  /** Names compare without case on every database (MariaDB's collation does so too). */
  findByNameIgnoringCase(name: string): Promise<GroupEntity | null> {
    return this.db.run((m) =>
      m
        .createQueryBuilder(GroupEntity, 'g')
        .where('LOWER(g.name) = :name', { name: name.toLowerCase() })
        .getOne(),
    );
  }

  /** One page of the groups that are not deleted, in id order, and how many there are. */
  page(offset: number, limit: number): Promise<[GroupEntity[], number]> {
    return this.db.run((m) =>
      m.findAndCount(GroupEntity, {
        where: { deletedAt: IsNull() },
        order: { id: 'ASC' },
        skip: offset,
        take: limit,
      }),
    );
  }

  insert(row: GroupRow): Promise<GroupEntity> {
    return this.db.run((m) => m.save(m.create(GroupEntity, row)));
  }

  async update(id: number, changes: Partial<GroupRow>): Promise<void> {
    await this.db.run((m) => m.update(GroupEntity, { id }, changes));
  }

  /** Makes no group but this one the default. */
  async clearDefaultExcept(id: number, now: Date): Promise<void> {
    await this.db.run((m) =>
      m.update(GroupEntity, { isDefault: true, id: Not(id) }, { isDefault: false, updatedAt: now }),
    );
  }
}
