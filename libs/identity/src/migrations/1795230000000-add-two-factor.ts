import { PortableColumns } from '@steward/persistence';
import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableColumn,
  TableForeignKey,
  TableIndex,
} from 'typeorm';

/**
 * Two-factor sign-in: the TOTP credentials and recovery codes, and on sessions the time the
 * user last proved their password (re-authentication) and the step a session still owes.
 */
export class AddTwoFactor1795230000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'two_factor_credentials',
        columns: [
          c.id(),
          c.reference('user_id'),
          c.string('secret_ciphertext', 255),
          c.string('kek_id', 64),
          { ...c.integer('last_time_step'), isNullable: true },
          c.timestamp('created_at'),
          c.timestamp('enabled_at', true),
        ],
        indices: [
          new TableIndex({
            name: 'uq_two_factor_credentials_user_id',
            columnNames: ['user_id'],
            isUnique: true,
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_two_factor_credentials_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'two_factor_recovery_codes',
        columns: [
          c.id(),
          c.reference('user_id'),
          c.string('code_hash', 64),
          c.timestamp('created_at'),
          c.timestamp('used_at', true),
        ],
        indices: [
          new TableIndex({
            name: 'idx_two_factor_recovery_codes_user_id',
            columnNames: ['user_id'],
          }),
          new TableIndex({
            name: 'uq_two_factor_recovery_codes_code_hash',
            columnNames: ['code_hash'],
            isUnique: true,
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_two_factor_recovery_codes_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
    await runner.addColumns('sessions', [
      new TableColumn(c.timestamp('authenticated_at', true)),
      new TableColumn(c.string('pending_step', 32, true)),
    ]);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('sessions', 'pending_step');
    await runner.dropColumn('sessions', 'authenticated_at');
    await runner.dropTable('two_factor_recovery_codes');
    await runner.dropTable('two_factor_credentials');
  }
}
