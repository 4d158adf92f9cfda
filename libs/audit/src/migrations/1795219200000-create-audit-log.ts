import { PortableColumns } from '@steward/persistence';
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { GENESIS_HASH } from '../audit-hash';

export class CreateAuditLog1795219200000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'audit_entries',
        columns: [
          { ...c.integer('id'), isPrimary: true },
          c.timestamp('occurred_at'),
          c.string('actor_type', 16),
          c.string('actor_id', 64, true),
          c.string('action', 64),
          c.string('target_type', 32, true),
          c.string('target_id', 64, true),
          c.string('ip', 45, true),
          c.string('user_agent', 512, true),
          c.string('network_salt', 32, true),
          c.string('network_digest', 64, true),
          // TEXT on both dialects (64 KB on MySQL); details are capped at 8 KB.
          { name: 'details', type: 'text', isNullable: true },
          c.string('prev_hash', 64),
          c.string('hash', 64),
        ],
        indices: [
          new TableIndex({ name: 'ix_audit_entries_occurred_at', columnNames: ['occurred_at'] }),
          new TableIndex({
            name: 'ix_audit_entries_actor',
            columnNames: ['actor_type', 'actor_id'],
          }),
          new TableIndex({ name: 'ix_audit_entries_action', columnNames: ['action'] }),
          new TableIndex({
            name: 'ix_audit_entries_target',
            columnNames: ['target_type', 'target_id'],
          }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'audit_chain_head',
        columns: [
          { ...c.integer('id'), isPrimary: true },
          c.integer('last_id'),
          c.string('last_hash', 64),
        ],
      }),
    );
    await runner.query('INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, 0, ?)', [
      GENESIS_HASH,
    ]);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('audit_chain_head');
    await runner.dropTable('audit_entries');
  }
}
