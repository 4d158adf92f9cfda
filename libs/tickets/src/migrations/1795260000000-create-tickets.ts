import { PortableColumns } from '@steward/persistence';
import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableForeignKey,
  TableIndex,
} from 'typeorm';

function foreignKey(
  table: string,
  column: string,
  referenced: string,
  onDelete: 'CASCADE' | 'SET NULL' | 'NO ACTION',
): TableForeignKey {
  return new TableForeignKey({
    name: `fk_${table}_${column}`,
    columnNames: [column],
    referencedTableName: referenced,
    referencedColumnNames: ['id'],
    onDelete,
    onUpdate: 'NO ACTION',
  });
}

function index(name: string, columnNames: string[]): TableIndex {
  return new TableIndex({ name, columnNames });
}

export class CreateTickets1795260000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'tickets',
        columns: [
          c.id(),
          c.string('subject', 255),
          c.string('status', 16),
          c.string('priority', 16, true),
          c.string('type', 16, true),
          c.reference('requester_id'),
          c.reference('submitter_id'),
          c.reference('assignee_id', true),
          c.reference('group_id', true),
          c.reference('organization_id', true),
          c.reference('problem_id', true),
          c.timestamp('due_at', true),
          c.string('via_channel', 16),
          c.string('external_id', 255, true),
          c.boolean('is_public', true),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
          c.timestamp('solved_at', true),
          c.timestamp('deleted_at', true),
        ],
        indices: [
          index('idx_tickets_status_updated_at', ['status', 'updated_at']),
          index('idx_tickets_group_id_status', ['group_id', 'status', 'updated_at']),
          index('idx_tickets_assignee_id_status', ['assignee_id', 'status', 'updated_at']),
          index('idx_tickets_requester_id', ['requester_id', 'created_at']),
          index('idx_tickets_updated_at', ['updated_at', 'id']),
          index('idx_tickets_status_solved_at', ['status', 'solved_at']),
          index('idx_tickets_organization_id', ['organization_id']),
          index('idx_tickets_problem_id', ['problem_id']),
          index('idx_tickets_external_id', ['external_id']),
        ],
        foreignKeys: [
          foreignKey('tickets', 'requester_id', 'users', 'NO ACTION'),
          foreignKey('tickets', 'submitter_id', 'users', 'NO ACTION'),
          foreignKey('tickets', 'assignee_id', 'users', 'NO ACTION'),
          foreignKey('tickets', 'group_id', 'groups', 'NO ACTION'),
          foreignKey('tickets', 'organization_id', 'organizations', 'SET NULL'),
          foreignKey('tickets', 'problem_id', 'tickets', 'SET NULL'),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'ticket_comments',
        columns: [
          c.id(),
          c.reference('ticket_id'),
          c.reference('author_id'),
          c.boolean('is_public', true),
          { name: 'body', type: 'text', isNullable: false },
          { name: 'html_body', type: 'text', isNullable: false },
          c.string('via_channel', 16),
          c.timestamp('created_at'),
        ],
        indices: [
          index('idx_ticket_comments_ticket_id', ['ticket_id', 'id']),
          index('idx_ticket_comments_author_id', ['author_id']),
        ],
        foreignKeys: [
          foreignKey('ticket_comments', 'ticket_id', 'tickets', 'CASCADE'),
          foreignKey('ticket_comments', 'author_id', 'users', 'NO ACTION'),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'ticket_tags',
        columns: [
          { ...c.reference('ticket_id'), isPrimary: true },
          { ...c.string('tag', 80), isPrimary: true },
        ],
        indices: [index('idx_ticket_tags_tag', ['tag', 'ticket_id'])],
        foreignKeys: [foreignKey('ticket_tags', 'ticket_id', 'tickets', 'CASCADE')],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'ticket_collaborators',
        columns: [
          { ...c.reference('ticket_id'), isPrimary: true },
          { ...c.reference('user_id'), isPrimary: true },
          { ...c.string('kind', 16), isPrimary: true },
        ],
        indices: [index('idx_ticket_collaborators_user_id', ['user_id'])],
        foreignKeys: [
          foreignKey('ticket_collaborators', 'ticket_id', 'tickets', 'CASCADE'),
          foreignKey('ticket_collaborators', 'user_id', 'users', 'CASCADE'),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'ticket_audits',
        columns: [
          c.id(),
          c.reference('ticket_id'),
          c.reference('author_id', true),
          c.string('via_channel', 16),
          c.timestamp('created_at'),
        ],
        indices: [
          index('idx_ticket_audits_ticket_id', ['ticket_id', 'id']),
          index('idx_ticket_audits_author_id', ['author_id']),
        ],
        foreignKeys: [
          foreignKey('ticket_audits', 'ticket_id', 'tickets', 'CASCADE'),
          foreignKey('ticket_audits', 'author_id', 'users', 'NO ACTION'),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'ticket_audit_events',
        columns: [
          c.id(),
          c.reference('audit_id'),
          c.string('type', 32),
          c.string('field_name', 64, true),
          { name: 'value', type: 'text', isNullable: true },
          { name: 'previous_value', type: 'text', isNullable: true },
          c.reference('comment_id', true),
        ],
        indices: [index('idx_ticket_audit_events_audit_id', ['audit_id'])],
        foreignKeys: [foreignKey('ticket_audit_events', 'audit_id', 'ticket_audits', 'CASCADE')],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'ticket_audit_events',
      'ticket_audits',
      'ticket_collaborators',
      'ticket_tags',
      'ticket_comments',
      'tickets',
    ]) {
      await runner.dropTable(table);
    }
  }
}
