import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In } from 'typeorm';
import { CustomRoleEntity } from './custom-role.entity';
import { UserEntity } from './user.entity';

export type CustomRoleRow = Omit<CustomRoleEntity, 'id'>;

@Injectable()
export class CustomRoleRepository {
  constructor(private readonly db: Database) {}

  findById(id: number): Promise<CustomRoleEntity | null> {
    return this.db.run((m) => m.findOneBy(CustomRoleEntity, { id }));
  }

  findByNameIgnoringCase(name: string): Promise<CustomRoleEntity | null> {
    return this.db.run((m) =>
      m
        .createQueryBuilder(CustomRoleEntity, 'r')
        .where('LOWER(r.name) = :name', { name: name.toLowerCase() })
        .getOne(),
    );
  }

  /** Every role in id order (Zendesk lists custom roles without pages; there are few). */
  list(): Promise<CustomRoleEntity[]> {
    return this.db.run((m) => m.find(CustomRoleEntity, { order: { id: 'ASC' } }));
  }

  insert(row: CustomRoleRow): Promise<CustomRoleEntity> {
    return this.db.run((m) => m.save(m.create(CustomRoleEntity, row)));
  }

  /** `save`, not `update`: the permission list goes through the column's transformer. */
  async update(role: CustomRoleEntity): Promise<void> {
    await this.db.run((m) => m.save(CustomRoleEntity, role));
  }

  async delete(id: number): Promise<void> {
    await this.db.run((m) => m.delete(CustomRoleEntity, { id }));
  }

  /** How many users hold each of these roles (Zendesk's `team_member_count`). */
  async holderCounts(roleIds: readonly number[]): Promise<Map<number, number>> {
    if (roleIds.length === 0) return new Map();
    const rows = await this.db.run((m) =>
      m
        .createQueryBuilder(UserEntity, 'u')
        .select('u.customRoleId', 'roleId')
        .addSelect('COUNT(*)', 'holders')
        .where({ customRoleId: In([...roleIds]) })
        .groupBy('u.customRoleId')
        .getRawMany<{ roleId: number | string; holders: number | string }>(),
    );
    return new Map(rows.map((row) => [Number(row.roleId), Number(row.holders)]));
  }
}
