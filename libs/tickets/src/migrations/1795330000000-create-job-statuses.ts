import { PortableColumns } from '@steward/persistence';
import { durableWorkColumns, durableWorkIndex } from '@steward/queue';
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * Job statuses: the bulk ticket work (create_many, update_many, destroy_many, merge) and its
 * per-item results. `results` and `payload` are JSON (TEXT on SQLite, JSON/LONGTEXT on
 * MySQL/MariaDB: a payload of 100 tickets can pass TEXT's 64 KB).
 */
export class CreateJobStatuses1795330000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'job_statuses',
        columns: [
          c.id(),
          c.string('token', 32),
          c.string('job_type', 32),
          c.string('status', 16),
          c.integer('total'),
          c.integer('progress'),
          c.string('message', 255, true),
          { name: 'results', type: 'json', isNullable: false },
          { name: 'payload', type: 'json', isNullable: true },
          c.reference('created_by'),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
          c.timestamp('expires_at'),
          ...durableWorkColumns(runner),
        ],
        indices: [
          new TableIndex({ name: 'uq_job_statuses_token', columnNames: ['token'], isUnique: true }),
          new TableIndex({
            name: 'idx_job_statuses_created_by',
            columnNames: ['created_by', 'created_at'],
          }),
          new TableIndex({ name: 'idx_job_statuses_expires_at', columnNames: ['expires_at'] }),
          durableWorkIndex('job_statuses'),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('job_statuses');
  }
}
