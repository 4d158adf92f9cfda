import { PortableColumns } from '@steward/persistence';
import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableColumn,
  TableForeignKey,
  TableIndex,
} from 'typeorm';

/** Users' phone, locale and time zone; custom agent roles and the users that hold one. */
export class AddUserProfileAndCustomRoles1795240000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'custom_roles',
        columns: [
          c.id(),
          c.string('name', 255),
          { name: 'description', type: 'text', isNullable: true },
          { name: 'permissions', type: 'text', isNullable: false },
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_custom_roles_name', columnNames: ['name'], isUnique: true }),
        ],
      }),
    );
    await runner.addColumns('users', [
      new TableColumn(c.string('phone', 50, true)),
      // String defaults are SQL literals here; existing users get Steward's old fixed values.
      new TableColumn({ ...c.string('locale', 35), default: "'en-US'" }),
      new TableColumn({ ...c.string('time_zone', 64), default: "'UTC'" }),
      new TableColumn(c.reference('custom_role_id', true)),
    ]);
    await runner.createIndex(
      'users',
      new TableIndex({ name: 'idx_users_custom_role_id', columnNames: ['custom_role_id'] }),
    );
    await runner.createForeignKey(
      'users',
      new TableForeignKey({
        name: 'fk_users_custom_role_id',
        columnNames: ['custom_role_id'],
        referencedTableName: 'custom_roles',
        referencedColumnNames: ['id'],
        onDelete: 'NO ACTION',
        onUpdate: 'NO ACTION',
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropForeignKey('users', 'fk_users_custom_role_id');
    await runner.dropIndex('users', 'idx_users_custom_role_id');
    for (const column of ['custom_role_id', 'time_zone', 'locale', 'phone']) {
      await runner.dropColumn('users', column);
    }
    await runner.dropTable('custom_roles');
  }
}
