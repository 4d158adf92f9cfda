import { Injectable } from '@nestjs/common';
import { BEFORE_COMMIT, Database, isMysqlFamily } from '@steward/persistence';
import { TicketCountEntity } from './ticket-count.entity';
import { type TicketScope, withinScope } from './ticket-scope';

/** Where a ticket counts: its status, group and assignee. A deleted ticket counts nowhere. */
export interface TicketCell {
  readonly status: string;
  readonly groupId: number | null;
  readonly assigneeId: number | null;
}

/** The cells `TicketCounts.sum` can add up for a view: conditions on these columns only. */
export const COUNTED_FIELDS: ReadonlySet<string> = new Set(['status', 'group_id', 'assignee_id']);

/** Every ticket counted again: see TicketCounts.recount. */
export const RECOUNT_TICKETS =
  'INSERT INTO ticket_counts (status, group_key, assignee_key, group_id, assignee_id, tickets) ' +
  'SELECT status, COALESCE(group_id, 0), COALESCE(assignee_id, 0), group_id, assignee_id, COUNT(*) ' +
  'FROM tickets WHERE deleted_at IS NULL GROUP BY status, group_id, assignee_id';

const DELTAS = Symbol('ticket count deltas');

type Deltas = Map<string, { cell: TicketCell; delta: number }>;

/**
 * The ticket counts (`ticket_counts`): how many tickets each status, group and assignee has,
 * changed in the same transaction as the tickets, so a count is always exact. A view whose
 * conditions test only those columns is counted by adding up a few hundred cells instead of
 * reading a million index entries. The changes of a transaction are collected and written just
 * before it commits, so the busiest cell (new tickets of the default group) stays locked only
 * for the commit; cells are written in key order, so two transactions never wait on each other
 * in a circle.
 */
@Injectable()
export class TicketCounts {
  constructor(private readonly db: Database) {}

  /** A ticket left `before` and is now in `after` (null: it did not count, or no longer does). */
  move(before: TicketCell | null, after: TicketCell | null): void {
    if (before && after && keyOf(before) === keyOf(after)) return;
    const deltas = this.db.collect<Deltas>(
      DELTAS,
      BEFORE_COMMIT.counters,
      () => new Map(),
      (d) => this.write(d),
    );
    if (!deltas) throw new Error('ticket counts change only inside a transaction');
    if (before) add(deltas, before, -1);
    if (after) add(deltas, after, 1);
  }

  /** How many tickets inside the scope the cells matching `where` (over `t`) hold. */
  async sum(
    scope: TicketScope,
    where: { readonly sql: string; readonly params: Readonly<Record<string, unknown>> },
  ): Promise<number> {
    const row = await this.db.run((m) =>
      withinScope(m.createQueryBuilder(TicketCountEntity, 't').where('1 = 1'), scope)
        .andWhere(`(${where.sql})`, where.params)
        .select('COALESCE(SUM(t.tickets), 0)', 'count')
        .getRawOne<{ count: number | string }>(),
    );
    return Number(row?.count ?? 0);
  }

  /** Counts every ticket again: after a restore or a bulk load that bypassed Steward. */
  async recount(): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query('DELETE FROM ticket_counts');
      await m.query(RECOUNT_TICKETS);
    });
  }

  private async write(deltas: Deltas): Promise<void> {
    const changes = [...deltas.entries()]
      .filter(([, change]) => change.delta !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, change]) => change);
    if (changes.length === 0) return;
    const mysql = isMysqlFamily(this.db.dataSource);
    const values = changes.flatMap(({ cell, delta }) => [
      cell.status,
      cell.groupId ?? 0,
      cell.assigneeId ?? 0,
      cell.groupId,
      cell.assigneeId,
      delta,
    ]);
    await this.db.run((m) =>
      m.query(
        'INSERT INTO ticket_counts (status, group_key, assignee_key, group_id, assignee_id, tickets) ' +
          `VALUES ${changes.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')} ` +
          (mysql
            ? 'ON DUPLICATE KEY UPDATE tickets = tickets + VALUES(tickets)'
            : 'ON CONFLICT (status, group_key, assignee_key) DO UPDATE SET tickets = tickets + excluded.tickets'),
        values,
      ),
    );
  }
}

/** The cell of a ticket row, or null when it does not count (deleted). */
export function cellOf(ticket: {
  readonly status: string;
  readonly groupId: number | null;
  readonly assigneeId: number | null;
  readonly deletedAt: Date | null;
}): TicketCell | null {
  if (ticket.deletedAt !== null) return null;
  return { status: ticket.status, groupId: ticket.groupId, assigneeId: ticket.assigneeId };
}

function keyOf(cell: TicketCell): string {
  // Sorts like the primary key: status, then group, then assignee (fixed-width numbers).
  const pad = (id: number | null) => String(id ?? 0).padStart(12, '0');
  return `${cell.status}|${pad(cell.groupId)}|${pad(cell.assigneeId)}`;
}

function add(deltas: Deltas, cell: TicketCell, delta: number): void {
  const key = keyOf(cell);
  const existing = deltas.get(key);
  if (existing) existing.delta += delta;
  else deltas.set(key, { cell, delta });
}
