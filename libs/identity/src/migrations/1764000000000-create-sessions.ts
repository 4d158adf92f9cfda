import { PortableColumns } from '@steward/persistence';
import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableForeignKey,
  TableIndex,
} from 'typeorm';

/** Web sessions and password reset tokens. */
export class CreateSessions1764000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { ...c.string('id', 64), isPrimary: true },
          c.reference('user_id'),
          c.timestamp('created_at'),
          c.timestamp('last_seen_at'),
          c.timestamp('expires_at'),
          c.boolean('must_change_password', false),
          c.string('ip', 45, true),
          c.string('user_agent', 512, true),
          c.timestamp('revoked_at', true),
        ],
        indices: [
          new TableIndex({ name: 'idx_sessions_user_id', columnNames: ['user_id'] }),
          new TableIndex({ name: 'idx_sessions_expires_at', columnNames: ['expires_at'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_sessions_user_id',
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
        name: 'password_reset_tokens',
        columns: [
          c.id(),
          c.reference('user_id'),
          c.string('token_hash', 64),
          c.timestamp('created_at'),
          c.timestamp('expires_at'),
          c.timestamp('used_at', true),
        ],
        indices: [
          new TableIndex({ name: 'idx_password_reset_tokens_user_id', columnNames: ['user_id'] }),
          new TableIndex({
            name: 'uq_password_reset_tokens_token_hash',
            columnNames: ['token_hash'],
            isUnique: true,
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_password_reset_tokens_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('password_reset_tokens');
    await runner.dropTable('sessions');
  }
}
