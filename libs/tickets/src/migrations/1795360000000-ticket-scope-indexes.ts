import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * Indexes that answer a view's count and first page from the index alone at a million
 * tickets: each holds, after the columns a default view filters and sorts on (the time, then
 * the id that breaks its ties), the columns of the ticket scope (group, assignee, deleted), so
 * neither the count nor the scope check reads a table row, and a page is read in index order. They replace the narrower indexes of the same leading columns (made first, so
 * the foreign keys on group and assignee always have an index).
 */
const INDEXES = [
  [
    'idx_tickets_status_updated_at',
    'idx_tickets_status_scope',
    ['status', 'updated_at', 'id', 'group_id', 'assignee_id', 'deleted_at'],
  ],
  [
    'idx_tickets_group_id_status',
    'idx_tickets_group_scope',
    ['group_id', 'assignee_id', 'status', 'updated_at', 'id', 'deleted_at'],
  ],
  [
    'idx_tickets_assignee_id_status',
    'idx_tickets_assignee_scope',
    ['assignee_id', 'status', 'updated_at', 'id', 'group_id', 'deleted_at'],
  ],
] as const;

const FORMER: Record<string, readonly string[]> = {
  idx_tickets_status_updated_at: ['status', 'updated_at'],
  idx_tickets_group_id_status: ['group_id', 'status', 'updated_at'],
  idx_tickets_assignee_id_status: ['assignee_id', 'status', 'updated_at'],
};

export class TicketScopeIndexes1795360000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    for (const [former, name, columnNames] of INDEXES) {
      await runner.createIndex('tickets', new TableIndex({ name, columnNames: [...columnNames] }));
      await runner.dropIndex('tickets', former);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const [former, name] of INDEXES) {
      await runner.createIndex(
        'tickets',
        new TableIndex({ name: former, columnNames: [...FORMER[former]] }),
      );
      await runner.dropIndex('tickets', name);
    }
  }
}
