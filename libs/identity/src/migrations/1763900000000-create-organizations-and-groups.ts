import { PortableColumns } from '@steward/persistence';
import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableColumn,
  TableForeignKey,
  TableIndex,
} from 'typeorm';

export class CreateOrganizationsAndGroups1763900000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'organizations',
        columns: [
          c.id(),
          c.string('name', 255),
          { name: 'details', type: 'text', isNullable: true },
          { name: 'notes', type: 'text', isNullable: true },
          c.string('external_id', 255, true),
          c.boolean('shared_tickets', false),
          c.boolean('shared_comments', false),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_organizations_name', columnNames: ['name'], isUnique: true }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'organization_domains',
        columns: [c.id(), c.reference('organization_id'), c.string('domain', 253)],
        indices: [
          new TableIndex({
            name: 'idx_organization_domains_organization_id',
            columnNames: ['organization_id'],
          }),
          new TableIndex({
            name: 'uq_organization_domains_domain',
            columnNames: ['domain'],
            isUnique: true,
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_organization_domains_organization_id',
            columnNames: ['organization_id'],
            referencedTableName: 'organizations',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
    await runner.addColumn('users', new TableColumn(c.reference('organization_id', true)));
    await runner.createIndex(
      'users',
      new TableIndex({ name: 'idx_users_organization_id', columnNames: ['organization_id'] }),
    );
    await runner.createForeignKey(
      'users',
      new TableForeignKey({
        name: 'fk_users_organization_id',
        columnNames: ['organization_id'],
        referencedTableName: 'organizations',
        referencedColumnNames: ['id'],
        onDelete: 'SET NULL',
        onUpdate: 'NO ACTION',
      }),
    );
    await runner.createTable(
      new Table({
        name: 'groups',
        columns: [
          c.id(),
          c.string('name', 255),
          { name: 'description', type: 'text', isNullable: true },
          c.boolean('default', false),
          c.boolean('is_public', true),
          c.boolean('confidential', false),
          c.timestamp('deleted_at', true),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_groups_name', columnNames: ['name'], isUnique: true }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'group_memberships',
        columns: [
          c.id(),
          c.reference('user_id'),
          c.reference('group_id'),
          c.boolean('default', false),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_group_memberships_user_group',
            columnNames: ['user_id', 'group_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'idx_group_memberships_group_id', columnNames: ['group_id'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_group_memberships_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
          new TableForeignKey({
            name: 'fk_group_memberships_group_id',
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
    await runner.dropTable('group_memberships');
    await runner.dropTable('groups');
    await runner.dropForeignKey('users', 'fk_users_organization_id');
    await runner.dropIndex('users', 'idx_users_organization_id');
    await runner.dropColumn('users', 'organization_id');
    await runner.dropTable('organization_domains');
    await runner.dropTable('organizations');
  }
}
