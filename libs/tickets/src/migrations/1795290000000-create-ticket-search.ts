import { PortableColumns } from '@steward/persistence';
import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableForeignKey,
  TableIndex,
} from 'typeorm';

/**
 * The full-text index of tickets, `ticket_search` (see `TicketSearchIndex`): on SQLite an FTS5
 * virtual table whose rowid is the ticket id; on MySQL/MariaDB an InnoDB table with FULLTEXT
 * indexes (one over subject and body, one over the subject alone: MATCH needs an index with
 * exactly its columns). It has no entity, so the drift check does not look at it. The index
 * starts empty: `steward search rebuild` fills it for existing tickets.
 */
export class CreateTicketSearch1795290000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    if (!c.mysql) {
      // Tokens arrive normalised (search-text.ts); unicode61 must keep them whole, marks included.
      await runner.query(
        'CREATE VIRTUAL TABLE ticket_search USING fts5(subject, body, ' +
          `tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'")`,
      );
      return;
    }
    await runner.createTable(
      new Table({
        name: 'ticket_search',
        engine: 'InnoDB',
        columns: [
          { ...c.reference('ticket_id'), isPrimary: true },
          { ...c.text('subject'), isNullable: false },
          { ...c.text('body'), isNullable: false },
        ],
        indices: [
          new TableIndex({
            name: 'ft_ticket_search_text',
            columnNames: ['subject', 'body'],
            isFulltext: true,
          }),
          new TableIndex({
            name: 'ft_ticket_search_subject',
            columnNames: ['subject'],
            isFulltext: true,
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_ticket_search_ticket_id',
            columnNames: ['ticket_id'],
            referencedTableName: 'tickets',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE ticket_search');
  }
}
