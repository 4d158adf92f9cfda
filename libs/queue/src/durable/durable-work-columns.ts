import { PortableColumns } from '@steward/persistence';
import { type QueryRunner, type TableColumnOptions, TableIndex } from 'typeorm';

/** The columns of `DurableWorkRow`, for a migration's `new Table({ columns: [...] })`. */
export function durableWorkColumns(runner: QueryRunner): TableColumnOptions[] {
  const c = new PortableColumns(runner);
  return [
    { ...c.string('work_state', 16), default: "'pending'" },
    c.integer('work_attempts', 0),
    c.string('work_claim', 32, true),
    c.timestamp('work_lease_until', true),
    c.string('work_error', 1000, true),
    c.timestamp('work_updated_at'),
  ];
}

/** The index the sweeper's query uses; add it to the same table. */
export function durableWorkIndex(table: string): TableIndex {
  return new TableIndex({
    name: `ix_${table}_work`,
    columnNames: ['work_state', 'work_updated_at'],
  });
}
