import { PortableColumns } from '@steward/persistence';
import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableForeignKey,
  TableIndex,
} from 'typeorm';

export class CreateApiTokens1763800000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'api_tokens',
        columns: [
          c.id(),
          c.reference('user_id'),
          c.string('name', 100),
          c.string('token_hash', 64),
          c.string('hint', 8),
          c.timestamp('created_at'),
          c.timestamp('last_used_at', true),
          c.timestamp('revoked_at', true),
        ],
        indices: [
          new TableIndex({ name: 'idx_api_tokens_user_id', columnNames: ['user_id'] }),
          new TableIndex({
            name: 'uq_api_tokens_token_hash',
            columnNames: ['token_hash'],
            isUnique: true,
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_api_tokens_user_id',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            // Stated, not left to the server's default (RESTRICT), to match the entity.
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('api_tokens');
  }
}
