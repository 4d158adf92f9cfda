import { PortableColumns } from '@steward/persistence';
import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * `ticket_counts` (see TicketCountEntity), filled from the tickets already there. The query is
 * written out here, as `TicketCounts.recount` has it today, so the migration stays the same
 * however the code changes later.
 */
export class CreateTicketCounts1795370000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'ticket_counts',
        columns: [
          { ...c.string('status', 16), isPrimary: true },
          { ...c.integer('group_key'), isPrimary: true },
          { ...c.integer('assignee_key'), isPrimary: true },
          c.reference('group_id', true),
          c.reference('assignee_id', true),
          c.integer('tickets'),
        ],
      }),
    );
    await runner.query(
      'INSERT INTO ticket_counts (status, group_key, assignee_key, group_id, assignee_id, tickets) ' +
        'SELECT status, COALESCE(group_id, 0), COALESCE(assignee_id, 0), group_id, assignee_id, COUNT(*) ' +
        'FROM tickets WHERE deleted_at IS NULL GROUP BY status, group_id, assignee_id',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('ticket_counts');
  }
}
