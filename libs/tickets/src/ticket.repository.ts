import { Injectable } from '@nestjs/common';
import { Database, isMysqlFamily } from '@steward/persistence';
import { cellOf, TicketCounts } from './ticket-counts';
import { type EntityManager, In, IsNull, LessThan, type SelectQueryBuilder } from 'typeorm';
import { type CollaboratorKind, TicketCollaboratorEntity } from './ticket-collaborator.entity';
import { TicketCommentEntity } from './ticket-comment.entity';
import { TicketAuditEntity, TicketAuditEventEntity } from './ticket-audit.entity';
import { type TicketScope, withinScope } from './ticket-scope';
import { TicketTagEntity } from './ticket-tag.entity';
import { TicketEntity } from './ticket.entity';

export type TicketRow = Omit<TicketEntity, 'id'>;
export type CommentRow = Omit<TicketCommentEntity, 'id'>;
export type AuditEventRow = Omit<TicketAuditEventEntity, 'id' | 'auditId'>;

/** Where an incremental export stands: just after this ticket in (updated_at, id) order. */
export interface ExportPosition {
  readonly updatedAt: Date;
  readonly id: number;
}

/** The orders a ticket list may take; ties are broken by id. */
export const TICKET_SORTS = {
  id: 'id',
  created_at: 'createdAt',
  updated_at: 'updatedAt',
  status: 'status',
  priority: 'priority',
} as const;
export type TicketSort = keyof typeof TICKET_SORTS;

/** The columns that say where a ticket counts (see TicketCounts). */
const COUNTED_COLUMNS = ['status', 'groupId', 'assigneeId', 'deletedAt'] as const;

export interface TicketListQuery {
  readonly scope: TicketScope;
  readonly offset: number;
  readonly limit: number;
  readonly sortBy: TicketSort;
  readonly descending: boolean;
  /** Only the tickets of this requester, this assignee, or this organization. */
  readonly requesterId?: number;
  readonly assigneeId?: number;
  readonly organizationId?: number;
}

/** A ticket's place in a list: its value of the sort column (null when empty) and its id. */
export interface TicketCursor {
  readonly value: string | Date | null;
  readonly id: number;
}

export interface TicketCursorQuery extends Omit<TicketListQuery, 'offset'> {
  /** The tickets after this one in the list's order; or, with `before`, those before it. */
  readonly after?: TicketCursor;
  readonly before?: TicketCursor;
}

@Injectable()
export class TicketRepository {
  constructor(
    private readonly db: Database,
    private readonly counts: TicketCounts,
  ) {}

  /** A ticket that was not deleted, whoever may see it. */
  findById(id: number): Promise<TicketEntity | null> {
    return this.db.run((m) => m.findOneBy(TicketEntity, { id, deletedAt: IsNull() }));
  }

  /** The tickets of these ids inside the scope, in id order. */
  findVisible(ids: readonly number[], scope: TicketScope): Promise<TicketEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      scoped(m.createQueryBuilder(TicketEntity, 't'), scope)
        .andWhere('t.id IN (:...ids)', { ids: [...ids] })
        .orderBy('t.id', 'ASC')
        .getMany(),
    );
  }

  /** One page of the tickets inside the scope, and how many there are in all. */
  page(query: TicketListQuery): Promise<[TicketEntity[], number]> {
    return this.db.run((m) => {
      const builder = listed(m, query);
      const direction = query.descending ? 'DESC' : 'ASC';
      builder.orderBy(`t.${TICKET_SORTS[query.sortBy]}`, direction);
      if (query.sortBy !== 'id') builder.addOrderBy('t.id', direction);
      return Promise.all([
        pageOfIds(m, builder.clone(), query.offset, query.limit),
        query.requesterId === undefined && query.organizationId === undefined
          ? this.counts.sum(query.scope, assigneeCondition(query.assigneeId))
          : countOf(builder),
      ]);
    });
  }

  /**
   * Cursor pagination: up to `limit` tickets after (or before) a ticket's place in the list's
   * order, and whether more follow in that direction. No count, and no offset to skip: each page
   * is a range of an index however deep the caller has paged.
   */
  async pageFrom(query: TicketCursorQuery): Promise<{ tickets: TicketEntity[]; hasMore: boolean }> {
    const backward = query.before !== undefined;
    const ascending = query.descending === backward;
    const rows = await this.db.run((m) => {
      const builder = listed(m, query);
      const cursor = query.after ?? query.before;
      if (cursor) keyset(builder, query.sortBy, cursor, ascending);
      const direction = ascending ? 'ASC' : 'DESC';
      builder.orderBy(`t.${TICKET_SORTS[query.sortBy]}`, direction);
      if (query.sortBy !== 'id') builder.addOrderBy('t.id', direction);
      return pageOfIds(m, builder, 0, query.limit + 1);
    });
    const hasMore = rows.length > query.limit;
    const tickets = rows.slice(0, query.limit);
    return { tickets: backward ? tickets.reverse() : tickets, hasMore };
  }

  /**
   * Up to `limit` tickets inside the scope, deleted ones too, changed after `after` and no later
   * than `until`, in (updated_at, id) order: a range of idx_tickets_updated_at, read in index
   * order. The first condition is the range; the second drops the tickets of `after`'s instant
   * up to its id. Without a limit, every such ticket.
   */
  changedSince(
    scope: TicketScope,
    after: ExportPosition,
    until: Date,
    limit?: number,
  ): Promise<TicketEntity[]> {
    return this.db.run((m) => {
      const builder = m
        .createQueryBuilder(TicketEntity, 't')
        .where('t.updated_at >= :after AND t.updated_at <= :until', {
          after: after.updatedAt,
          until,
        })
        .andWhere('(t.updated_at > :after OR t.id > :afterId)', { afterId: after.id });
      withinScope(builder, scope).orderBy('t.updatedAt', 'ASC').addOrderBy('t.id', 'ASC');
      return (limit === undefined ? builder : builder.limit(limit)).getMany();
    });
  }

  /** Which of these problem tickets have incidents linked to them. */
  async problemsWithIncidents(problemIds: readonly number[]): Promise<Set<number>> {
    if (problemIds.length === 0) return new Set();
    const rows = await this.db.run((m) =>
      m
        .createQueryBuilder(TicketEntity, 't')
        .select('DISTINCT t.problem_id', 'problemId')
        .where('t.problem_id IN (:...ids)', { ids: [...problemIds] })
        .andWhere('t.deleted_at IS NULL')
        .getRawMany<{ problemId: number }>(),
    );
    return new Set(rows.map((row) => Number(row.problemId)));
  }

  /** Up to `limit` solved tickets solved before `cutoff`, oldest first (for closing). */
  solvedBefore(cutoff: Date, limit: number): Promise<TicketEntity[]> {
    return this.db.run((m) =>
      m.find(TicketEntity, {
        where: { status: 'solved', solvedAt: LessThan(cutoff), deletedAt: IsNull() },
        order: { solvedAt: 'ASC', id: 'ASC' },
        take: limit,
      }),
    );
  }

  insert(row: TicketRow): Promise<TicketEntity> {
    return this.db.transaction(async (m) => {
      const ticket = await m.save(m.create(TicketEntity, row));
      this.counts.move(null, cellOf(ticket));
      return ticket;
    });
  }

  /**
   * Changes a ticket's columns. A change of where it counts (status, group, assignee, deleted)
   * moves it between ticket counts: the row is read under a lock first, so two changes of one
   * ticket at once count it once.
   */
  async update(id: number, changes: Partial<TicketRow>): Promise<void> {
    const recounts = COUNTED_COLUMNS.some((column) => changes[column] !== undefined);
    if (!recounts) {
      await this.db.run((m) => m.update(TicketEntity, { id }, changes));
      return;
    }
    await this.db.transaction(async (m) => {
      const query = m
        .createQueryBuilder(TicketEntity, 't')
        .select(['t.id', 't.status', 't.groupId', 't.assigneeId', 't.deletedAt'])
        .where('t.id = :id', { id });
      if (isMysqlFamily(m.connection)) query.setLock('pessimistic_write');
      const before = await query.getOne();
      if (!before) return;
      await m.update(TicketEntity, { id }, changes);
      this.counts.move(cellOf(before), cellOf({ ...before, ...changes }));
    });
  }

  tagsOf(ticketIds: readonly number[]): Promise<TicketTagEntity[]> {
    if (ticketIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(TicketTagEntity, {
        where: { ticketId: In([...ticketIds]) },
        order: { ticketId: 'ASC', tag: 'ASC' },
      }),
    );
  }

  async setTags(ticketId: number, tags: readonly string[]): Promise<void> {
    await this.db.run(async (m) => {
      await m.delete(TicketTagEntity, { ticketId });
      if (tags.length > 0)
        await m.insert(
          TicketTagEntity,
          tags.map((tag) => ({ ticketId, tag })),
        );
    });
  }

  collaboratorsOf(ticketIds: readonly number[]): Promise<TicketCollaboratorEntity[]> {
    if (ticketIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(TicketCollaboratorEntity, {
        where: { ticketId: In([...ticketIds]) },
        order: { ticketId: 'ASC', userId: 'ASC' },
      }),
    );
  }

  async setCollaborators(
    ticketId: number,
    kind: CollaboratorKind,
    userIds: readonly number[],
  ): Promise<void> {
    await this.db.run(async (m) => {
      await m.delete(TicketCollaboratorEntity, { ticketId, kind });
      if (userIds.length > 0) {
        await m.insert(
          TicketCollaboratorEntity,
          userIds.map((userId) => ({ ticketId, userId, kind })),
        );
      }
    });
  }

  insertComment(row: CommentRow): Promise<TicketCommentEntity> {
    return this.db.run((m) => m.save(m.create(TicketCommentEntity, row)));
  }

  /** The text of each ticket's first comment: Zendesk's `description`. */
  async firstComments(
    ticketIds: readonly number[],
  ): Promise<Map<number, Pick<TicketCommentEntity, 'id' | 'ticketId' | 'body'>>> {
    if (ticketIds.length === 0) return new Map();
    const rows = await this.db.run((m) =>
      m
        .createQueryBuilder(TicketCommentEntity, 'c')
        // The plain text only: the HTML twin of a long first comment is as long again.
        .select(['c.id', 'c.ticketId', 'c.body'])
        .where('c.ticket_id IN (:...ids)', { ids: [...ticketIds] })
        .andWhere(
          'c.id = (SELECT MIN(f.id) FROM ticket_comments f WHERE f.ticket_id = c.ticket_id)',
        )
        .getMany(),
    );
    return new Map(rows.map((row) => [row.ticketId, row]));
  }

  /** One page of a ticket's comments in the order they were written. */
  comments(
    ticketId: number,
    options: { offset: number; limit: number; publicOnly: boolean; descending: boolean },
  ): Promise<[TicketCommentEntity[], number]> {
    return this.db.run((m) =>
      m.findAndCount(TicketCommentEntity, {
        where: options.publicOnly ? { ticketId, isPublic: true } : { ticketId },
        order: { id: options.descending ? 'DESC' : 'ASC' },
        skip: options.offset,
        take: options.limit,
      }),
    );
  }

  /** Records one audit with its events; returns the audit's id. */
  async insertAudit(
    audit: Omit<TicketAuditEntity, 'id'>,
    events: readonly AuditEventRow[],
  ): Promise<number> {
    return this.db.run(async (m) => {
      const saved = await m.save(m.create(TicketAuditEntity, audit));
      if (events.length > 0) {
        await m.insert(
          TicketAuditEventEntity,
          events.map((event) => ({ ...event, auditId: saved.id })),
        );
      }
      return saved.id;
    });
  }

  /** One page of a ticket's audits, oldest first, with their events. */
  async audits(
    ticketId: number,
    offset: number,
    limit: number,
  ): Promise<[Array<{ audit: TicketAuditEntity; events: TicketAuditEventEntity[] }>, number]> {
    return this.db.run(async (m) => {
      const [audits, count] = await m.findAndCount(TicketAuditEntity, {
        where: { ticketId },
        order: { id: 'ASC' },
        skip: offset,
        take: limit,
      });
      const events =
        audits.length === 0
          ? []
          : await m.find(TicketAuditEventEntity, {
              where: { auditId: In(audits.map((a) => a.id)) },
              order: { id: 'ASC' },
            });
      return [
        audits.map((audit) => ({
          audit,
          events: events.filter((event) => event.auditId === audit.id),
        })),
        count,
      ];
    });
  }
}

/** Adds the scope's rule (see TicketScope) to a query over tickets `t` (views use it too). */
export function scoped(
  builder: SelectQueryBuilder<TicketEntity>,
  scope: TicketScope,
): SelectQueryBuilder<TicketEntity> {
  builder.where('t.deleted_at IS NULL');
  return withinScope(builder, scope);
}

/**
 * A page of the tickets a query selects, in two steps: the ids (where, order, offset, limit) —
 * which the `*_scope` indexes answer without reading a row — then the rows of just those ids.
 * Selecting whole rows at once would read every candidate row a sort has to look at.
 */
export async function pageOfIds(
  m: EntityManager,
  builder: SelectQueryBuilder<TicketEntity>,
  offset: number,
  limit: number,
): Promise<TicketEntity[]> {
  const rows = await builder
    .select('t.id', 'id')
    .offset(offset)
    .limit(limit)
    .getRawMany<{ id: number | string }>();
  return ticketsInOrder(
    m,
    rows.map((row) => Number(row.id)),
  );
}

/** The tickets of these ids, in the order given (a page's ids, read from an index first). */
export async function ticketsInOrder(
  m: EntityManager,
  ids: readonly number[],
): Promise<TicketEntity[]> {
  if (ids.length === 0) return [];
  const found = new Map(
    (await m.findBy(TicketEntity, { id: In([...ids]) })).map((ticket) => [ticket.id, ticket]),
  );
  return ids.flatMap((id) => found.get(id) ?? []);
}

/**
 * A page of the tickets a query selects and how many it selects in all, from one evaluation of
 * the query (`COUNT(*) OVER ()`): for a search, whose full-text match is the costly part, half
 * the work of counting and paging apart.
 */
export async function pageWithTotal(
  m: EntityManager,
  builder: SelectQueryBuilder<TicketEntity>,
  offset: number,
  limit: number,
): Promise<[TicketEntity[], number]> {
  const rows = await builder
    .clone()
    .select('t.id', 'id')
    .addSelect('COUNT(*) OVER ()', 'total')
    .offset(offset)
    .limit(limit)
    .getRawMany<{ id: number | string; total: number | string }>();
  // Past the last page there is no row to carry the total: count apart.
  if (rows.length === 0) return [[], offset === 0 ? 0 : await countOf(builder)];
  const tickets = await ticketsInOrder(
    m,
    rows.map((row) => Number(row.id)),
  );
  return [tickets, Number(rows[0].total)];
}

/** How many tickets a query selects: `COUNT(*)`, which an index can answer (no DISTINCT). */
export async function countOf(builder: SelectQueryBuilder<TicketEntity>): Promise<number> {
  const row = await builder
    .select('COUNT(*)', 'count')
    .orderBy()
    .getRawOne<{ count: number | string }>();
  return Number(row?.count ?? 0);
}

/** A ticket's place in a list sorted by `sortBy`. */
export function cursorOf(ticket: TicketEntity, sortBy: TicketSort): TicketCursor {
  return { value: sortBy === 'id' ? null : ticket[TICKET_SORTS[sortBy]], id: ticket.id };
}

/** A list's assignee filter as a condition the ticket counts can take. */
function assigneeCondition(assigneeId: number | undefined): {
  sql: string;
  params: Record<string, unknown>;
} {
  return assigneeId === undefined
    ? { sql: '1 = 1', params: {} }
    : { sql: 't.assignee_id = :assigneeId', params: { assigneeId } };
}

/** The tickets of a list inside its scope, with its filters; not yet ordered. */
function listed(
  m: EntityManager,
  query: Omit<TicketListQuery, 'offset' | 'limit'>,
): SelectQueryBuilder<TicketEntity> {
  const builder = scoped(m.createQueryBuilder(TicketEntity, 't'), query.scope);
  if (query.requesterId !== undefined) {
    builder.andWhere('t.requester_id = :requesterId', { requesterId: query.requesterId });
  }
  if (query.assigneeId !== undefined) {
    builder.andWhere('t.assignee_id = :assigneeId', { assigneeId: query.assigneeId });
  }
  if (query.organizationId !== undefined) {
    builder.andWhere('t.organization_id = :organizationId', {
      organizationId: query.organizationId,
    });
  }
  return builder;
}

/**
 * Keeps the tickets that come after `cursor` when the list is read in this direction, by
 * (sort column, id). An empty value sorts first, as both databases order NULL.
 */
function keyset(
  builder: SelectQueryBuilder<TicketEntity>,
  sortBy: TicketSort,
  cursor: TicketCursor,
  ascending: boolean,
): void {
  const params = { cursorValue: cursor.value, cursorId: cursor.id };
  if (sortBy === 'id') {
    builder.andWhere(ascending ? 't.id > :cursorId' : 't.id < :cursorId', params);
    return;
  }
  const column = `t.${TICKET_SORTS[sortBy]}`;
  if (cursor.value === null) {
    builder.andWhere(
      ascending
        ? `(${column} IS NOT NULL OR t.id > :cursorId)`
        : `(${column} IS NULL AND t.id < :cursorId)`,
      params,
    );
    return;
  }
  builder.andWhere(
    ascending
      ? `(${column} > :cursorValue OR (${column} = :cursorValue AND t.id > :cursorId))`
      : `(${column} < :cursorValue OR (${column} = :cursorValue AND t.id < :cursorId) OR ${column} IS NULL)`,
    params,
  );
}
