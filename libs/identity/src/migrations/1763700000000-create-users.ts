import { PortableColumns } from '@steward/persistence';
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

export class CreateUsers1763700000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'users',
        columns: [
          c.id(),
          c.string('email', 320, true),
          c.string('name', 255),
          c.string('role', 32),
          c.string('password_hash', 255, true),
          c.boolean('password_must_change', false),
          c.boolean('active', true),
          c.timestamp('erased_at', true),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'uq_users_email', columnNames: ['email'], isUnique: true }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('users');
  }
}
