import { PortableColumns } from '@steward/persistence';
import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableColumn,
  TableForeignKey,
  TableIndex,
} from 'typeorm';

/** Users' external ids, and user identities: one primary identity for each user with an email. */
export class CreateUserIdentities1764100000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.addColumn('users', new TableColumn(c.string('external_id', 255, true)));
    await runner.createIndex(
      'users',
      new TableIndex({
        name: 'uq_users_external_id',
        columnNames: ['external_id'],
        isUnique: true,
      }),
    );
    await runner.createTable(
      new Table({
        name: 'user_identities',
        columns: [
          c.id(),
          c.reference('user_id'),
          c.string('type', 32),
          c.string('value', 320),
          c.boolean('primary', false),
          c.boolean('verified', false),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'idx_user_identities_user_id', columnNames: ['user_id'] }),
          new TableIndex({
            name: 'uq_user_identities_type_value',
            columnNames: ['type', 'value'],
            isUnique: true,
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_user_identities_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
    // Every user with an email gets it as a verified primary identity (accounts are made by
    // administrators for known addresses). `primary` is a reserved word in MySQL: quote names.
    const q = (name: string) => runner.connection.driver.escape(name);
    const columns = ['user_id', 'type', 'value', 'primary', 'verified', 'created_at', 'updated_at'];
    await runner.query(
      `INSERT INTO ${q('user_identities')} (${columns.map(q).join(', ')}) ` +
        `SELECT ${q('id')}, 'email', LOWER(TRIM(${q('email')})), 1, 1, ` +
        `${q('created_at')}, ${q('updated_at')} FROM ${q('users')} WHERE ${q('email')} IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('user_identities');
    await runner.dropIndex('users', 'uq_users_external_id');
    await runner.dropColumn('users', 'external_id');
  }
}
