import { PortableColumns } from '@steward/persistence';
import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableForeignKey,
  TableIndex,
} from 'typeorm';

function foreignKey(table: string, column: string, referenced: string): TableForeignKey {
  return new TableForeignKey({
    name: `fk_${table}_${column}`,
    columnNames: [column],
    referencedTableName: referenced,
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
    onUpdate: 'NO ACTION',
  });
}

/** The longest prefix of a value the MySQL/MariaDB index holds (utf8mb4: 191 × 4 < 767 bytes). */
const VALUE_PREFIX = 191;

/**
 * Custom ticket fields (Zendesk's ticket fields), the choices of drop-down and multi-select
 * fields, and each ticket's values. On MySQL/MariaDB the `(field, value)` index takes a prefix
 * of the text value; SQLite indexes it whole.
 */
export class CreateTicketFields1795310000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'ticket_fields',
        columns: [
          c.id(),
          c.string('type', 16),
          c.string('title', 255),
          { name: 'description', type: 'text', isNullable: true },
          c.integer('position', 0),
          c.boolean('active', true),
          c.boolean('required', false),
          c.boolean('required_in_portal', false),
          c.boolean('visible_in_portal', false),
          c.boolean('editable_in_portal', false),
          c.string('regexp_for_validation', 255, true),
          c.string('tag', 80, true),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'idx_ticket_fields_position', columnNames: ['position', 'id'] }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'custom_field_options',
        columns: [
          c.id(),
          c.reference('field_id'),
          c.string('name', 255),
          c.string('value', 80),
          c.integer('position', 0),
        ],
        indices: [
          new TableIndex({
            name: 'idx_custom_field_options_field_id',
            columnNames: ['field_id', 'position'],
          }),
        ],
        foreignKeys: [foreignKey('custom_field_options', 'field_id', 'ticket_fields')],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'ticket_field_values',
        columns: [
          { ...c.reference('ticket_id'), isPrimary: true },
          { ...c.reference('field_id'), isPrimary: true },
          { name: 'value', type: 'text', isNullable: false },
        ],
        foreignKeys: [
          foreignKey('ticket_field_values', 'ticket_id', 'tickets'),
          foreignKey('ticket_field_values', 'field_id', 'ticket_fields'),
        ],
      }),
    );
    if (c.mysql) {
      await runner.query(
        'CREATE INDEX idx_ticket_field_values_field_value ' +
          `ON ticket_field_values (field_id, value(${VALUE_PREFIX}))`,
      );
    } else {
      await runner.createIndex(
        'ticket_field_values',
        new TableIndex({
          name: 'idx_ticket_field_values_field_value',
          columnNames: ['field_id', 'value'],
        }),
      );
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['ticket_field_values', 'custom_field_options', 'ticket_fields']) {
      await runner.dropTable(table);
    }
  }
}
