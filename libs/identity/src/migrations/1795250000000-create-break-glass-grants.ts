import { PortableColumns } from '@steward/persistence';
import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableForeignKey,
  TableIndex,
} from 'typeorm';

/** Administrators' audited, time-limited access to confidential groups' content. */
export class CreateBreakGlassGrants1795250000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'break_glass_grants',
        columns: [
          c.id(),
          c.reference('user_id'),
          c.reference('group_id'),
          { name: 'reason', type: 'text', isNullable: false },
          c.timestamp('created_at'),
          c.timestamp('expires_at'),
          c.timestamp('ended_at', true),
        ],
        indices: [
          new TableIndex({ name: 'idx_break_glass_grants_user_id', columnNames: ['user_id'] }),
          new TableIndex({ name: 'idx_break_glass_grants_group_id', columnNames: ['group_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_break_glass_grants_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_break_glass_grants_group_id',
            columnNames: ['group_id'],
            referencedTableName: 'groups',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('break_glass_grants');
  }
}
