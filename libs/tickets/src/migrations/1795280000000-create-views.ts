import { PortableColumns } from '@steward/persistence';
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

const UNSOLVED = { field: 'status', operator: 'less_than', value: 'solved' };
const COLUMNS = ['subject', 'requester', 'status', 'priority', 'updated'];

/**
 * Steward's default views, as Zendesk ships them. Written out here rather than taken from the
 * code, so that the migration inserts the same rows however the code changes later.
 */
const DEFAULT_VIEWS = [
  {
    key: 'my_open',
    title: 'My open tickets',
    conditions: {
      all: [{ field: 'assignee_id', operator: 'is', value: 'current_user' }, UNSOLVED],
      any: [],
    },
  },
  {
    key: 'unassigned_in_my_groups',
    title: 'Unassigned tickets in my groups',
    conditions: {
      all: [
        { field: 'assignee_id', operator: 'is', value: null },
        { field: 'group_id', operator: 'is', value: 'current_groups' },
        UNSOLVED,
      ],
      any: [],
    },
  },
  {
    key: 'pending',
    title: 'Pending',
    conditions: { all: [{ field: 'status', operator: 'is', value: 'pending' }], any: [] },
  },
  {
    key: 'recently_solved',
    title: 'Recently solved',
    conditions: {
      all: [
        { field: 'status', operator: 'is', value: 'solved' },
        { field: 'updated_at', operator: 'less_than', value: 168 },
      ],
      any: [],
    },
  },
];

/** Views (saved ticket filters), with the four defaults every agent sees. */
export class CreateViews1795280000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'views',
        columns: [
          c.id(),
          c.string('title', 255),
          { name: 'description', type: 'text', isNullable: true },
          c.boolean('active', true),
          c.integer('position', 0),
          c.string('restriction_type', 16, true),
          c.reference('restriction_id', true),
          { name: 'conditions', type: 'text', isNullable: false },
          { name: 'execution', type: 'text', isNullable: false },
          c.string('default_key', 32, true),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'idx_views_restriction',
            columnNames: ['restriction_type', 'restriction_id'],
          }),
          new TableIndex({
            name: 'uq_views_default_key',
            columnNames: ['default_key'],
            isUnique: true,
          }),
        ],
      }),
    );
    // The stored form of a UTC time with milliseconds, as both dialects read it back.
    const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
    for (const [position, view] of DEFAULT_VIEWS.entries()) {
      const execution = {
        columns: COLUMNS,
        sortBy: 'updated_at',
        sortOrder: 'desc',
        groupBy: null,
        groupOrder: 'asc',
      };
      await runner.query(
        'INSERT INTO views (title, description, active, position, restriction_type, ' +
          'restriction_id, conditions, execution, default_key, created_at, updated_at) ' +
          'VALUES (?, NULL, 1, ?, NULL, NULL, ?, ?, ?, ?, ?)',
        [
          view.title,
          position + 1,
          JSON.stringify(view.conditions),
          JSON.stringify(execution),
          view.key,
          now,
          now,
        ],
      );
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('views');
  }
}
