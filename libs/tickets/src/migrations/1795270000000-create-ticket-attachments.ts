import { PortableColumns } from '@steward/persistence';
import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableForeignKey,
  TableIndex,
} from 'typeorm';

function foreignKey(
  column: string,
  referenced: string,
  onDelete: 'CASCADE' | 'NO ACTION',
): TableForeignKey {
  return new TableForeignKey({
    name: `fk_ticket_attachments_${column}`,
    columnNames: [column],
    referencedTableName: referenced,
    referencedColumnNames: ['id'],
    onDelete,
    onUpdate: 'NO ACTION',
  });
}

/** Ticket attachments: uploaded files, their upload tokens (hashed) and comments. */
export class CreateTicketAttachments1795270000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'ticket_attachments',
        columns: [
          c.id(),
          c.string('upload_token_hash', 64),
          c.reference('uploader_id'),
          c.reference('ticket_id', true),
          c.reference('comment_id', true),
          c.string('file_name', 255),
          c.string('content_type', 128),
          c.integer('size'),
          c.string('blob_id', 64),
          c.string('sha256', 64),
          c.timestamp('created_at'),
        ],
        indices: [
          new TableIndex({
            name: 'idx_ticket_attachments_upload_token_hash',
            columnNames: ['upload_token_hash'],
          }),
          new TableIndex({
            name: 'idx_ticket_attachments_uploader_id',
            columnNames: ['uploader_id'],
          }),
          new TableIndex({ name: 'idx_ticket_attachments_ticket_id', columnNames: ['ticket_id'] }),
          new TableIndex({
            name: 'idx_ticket_attachments_comment_id_created_at',
            columnNames: ['comment_id', 'created_at'],
          }),
        ],
        foreignKeys: [
          foreignKey('uploader_id', 'users', 'NO ACTION'),
          foreignKey('ticket_id', 'tickets', 'CASCADE'),
          foreignKey('comment_id', 'ticket_comments', 'CASCADE'),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('ticket_attachments');
  }
}
