import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { Brackets, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { countOf, pageOfIds, scoped, TICKET_SORTS, ticketsInOrder } from './ticket.repository';
import { COUNTED_FIELDS, TicketCounts } from './ticket-counts';
import type { TicketScope } from './ticket-scope';
import { TicketEntity } from './ticket.entity';
import type { ViewExecution, ViewFilter } from './view-conditions';
import { ViewEntity } from './view.entity';

export type ViewRow = Omit<ViewEntity, 'id'>;

/** Views, and the tickets a view's compiled conditions select inside a ticket scope. */
@Injectable()
export class ViewRepository {
  constructor(
    private readonly db: Database,
    private readonly counts: TicketCounts,
  ) {}

  findById(id: number): Promise<ViewEntity | null> {
    return this.db.run((m) => m.findOneBy(ViewEntity, { id }));
  }

  /** The views this user may use: shared ones, their own, and their groups'; by position. */
  usable(
    userId: number,
    groupIds: readonly number[],
    options: { activeOnly: boolean },
  ): Promise<ViewEntity[]> {
    return this.db.run((m) => {
      const builder = m.createQueryBuilder(ViewEntity, 'v').where(
        new Brackets((or) => {
          or.where('v.restriction_type IS NULL').orWhere(
            "(v.restriction_type = 'User' AND v.restriction_id = :userId)",
            { userId },
          );
          if (groupIds.length > 0) {
            or.orWhere("(v.restriction_type = 'Group' AND v.restriction_id IN (:...groupIds))", {
              groupIds: [...groupIds],
            });
          }
        }),
      );
      if (options.activeOnly) builder.andWhere('v.active = :active', { active: true });
      return builder.orderBy('v.position', 'ASC').addOrderBy('v.id', 'ASC').getMany();
    });
  }

  insert(row: ViewRow): Promise<ViewEntity> {
    return this.db.run((m) => m.save(m.create(ViewEntity, row)));
  }

  async update(id: number, changes: Partial<ViewRow>): Promise<void> {
    await this.db.run((m) => m.save(m.create(ViewEntity, { ...changes, id })));
  }

  async delete(id: number): Promise<void> {
    await this.db.run((m) => m.delete(ViewEntity, { id }));
  }

  /**
   * How many tickets match: from the ticket counts when the view tests only status, group and
   * assignee (the default views but Recently solved); otherwise `COUNT(*)` over the indexed
   * columns, no rows fetched.
   */
  async count(filter: ViewFilter, scope: TicketScope): Promise<number> {
    if (filter.fields.every((field) => COUNTED_FIELDS.has(field))) {
      return this.counts.sum(scope, { sql: filter.where, params: filter.params });
    }
    return this.db.run((m) => countOf(this.matching(m, filter, scope)));
  }

  /** One page of the matching tickets in the view's order (ties broken by id). */
  page(
    filter: ViewFilter,
    scope: TicketScope,
    execution: ViewExecution,
    offset: number,
    limit: number,
  ): Promise<TicketEntity[]> {
    return this.db.run((m) => {
      const builder = this.matching(m, filter, scope);
      const direction = execution.sortOrder === 'desc' ? 'DESC' : 'ASC';
      if (execution.groupBy !== null) {
        builder.orderBy(
          `t.${TICKET_SORTS[execution.groupBy]}`,
          execution.groupOrder === 'desc' ? 'DESC' : 'ASC',
        );
        builder.addOrderBy(`t.${TICKET_SORTS[execution.sortBy]}`, direction);
      } else {
        builder.orderBy(`t.${TICKET_SORTS[execution.sortBy]}`, direction);
      }
      if (execution.sortBy !== 'id') builder.addOrderBy('t.id', direction);
      const statuses = filter.statuses ?? [];
      if (execution.groupBy === null && statuses.length > 1 && offset + limit <= SPLIT_DEPTH) {
        return this.pageByStatus(m, builder, statuses, execution, offset, limit);
      }
      return pageOfIds(m, builder, offset, limit);
    });
  }

  /**
   * A page of a view that matches several statuses ("status less than solved"), read status by
   * status: one status and the sort are a range of an index read in order, where several
   * statuses at once would have the database sort every matching ticket. The first
   * `offset + limit` of each status are merged in the view's order.
   */
  private async pageByStatus(
    m: EntityManager,
    builder: SelectQueryBuilder<TicketEntity>,
    statuses: readonly string[],
    execution: ViewExecution,
    offset: number,
    limit: number,
  ): Promise<TicketEntity[]> {
    const column = `t.${TICKET_SORTS[execution.sortBy]}`;
    const heads = await Promise.all(
      statuses.map((status, i) =>
        builder
          .clone()
          .andWhere(`t.status = :pageStatus${i}`, { [`pageStatus${i}`]: status })
          .select('t.id', 'id')
          .addSelect(column, 'sortValue')
          .limit(offset + limit)
          .getRawMany<{ id: number | string; sortValue: unknown }>(),
      ),
    );
    const sign = execution.sortOrder === 'desc' ? -1 : 1;
    const ids = heads
      .flat()
      .map((row) => ({ id: Number(row.id), value: row.sortValue }))
      .sort((a, b) => sign * (compareValues(a.value, b.value) || a.id - b.id))
      .slice(offset, offset + limit)
      .map((row) => row.id);
    return ticketsInOrder(m, ids);
  }

  /**
   * The database's plan for counting: SQLite's `EXPLAIN QUERY PLAN` or MySQL/MariaDB's
   * `EXPLAIN`, one text line per step. For tests and benchmarks that a count uses an index.
   */
  async explainCount(filter: ViewFilter, scope: TicketScope): Promise<string[]> {
    return this.db.run(async (m) => {
      const [sql, parameters] = this.matching(m, filter, scope)
        .select('COUNT(*)', 'count')
        .getQueryAndParameters();
      const sqlite = m.connection.options.type === 'better-sqlite3';
      const rows = await m.query<Array<Record<string, unknown>>>(
        `${sqlite ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN'} ${sql}`,
        parameters as unknown[],
      );
      return rows.map((row) =>
        sqlite
          ? String(row.detail)
          : `${String(row.table)}: type=${String(row.type)} key=${String(row.key)}`,
      );
    });
  }

  private matching(
    m: EntityManager,
    filter: ViewFilter,
    scope: TicketScope,
  ): SelectQueryBuilder<TicketEntity> {
    return scoped(m.createQueryBuilder(TicketEntity, 't'), scope).andWhere(
      `(${filter.where})`,
      filter.params,
    );
  }
}

/** Pages deeper than this are read in one query: merging would read too many rows per status. */
const SPLIT_DEPTH = 1_000;

/**
 * Orders two values of one sort column as the database does: empty first, then times, numbers
 * and text (SQLite gives times as sortable text, MySQL as dates).
 */
function compareValues(a: unknown, b: unknown): number {
  const left = sortable(a);
  const right = sortable(b);
  if (left === right) return 0;
  if (left === null) return -1;
  if (right === null) return 1;
  return left < right ? -1 : 1;
}

function sortable(value: unknown): number | string | null {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number' || typeof value === 'string') return value;
  return null;
}
