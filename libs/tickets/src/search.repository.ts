import { Injectable } from '@nestjs/common';
import { GroupEntity, OrganizationEntity } from '@steward/identity';
import { Database } from '@steward/persistence';
import { In, IsNull, MoreThan, type SelectQueryBuilder } from 'typeorm';
import { TicketSearchIndex, type SearchCondition, type SearchDocument } from './search-index';
import { TicketCommentEntity } from './ticket-comment.entity';
import { countOf, pageWithTotal, scoped, TICKET_SORTS, type TicketSort } from './ticket.repository';
import type { TicketScope } from './ticket-scope';
import { TicketEntity } from './ticket.entity';

/** Ticket columns a search may filter on by value. */
export type SearchColumn =
  | 'status'
  | 'priority'
  | 'type'
  | 'assignee_id'
  | 'requester_id'
  | 'submitter_id'
  | 'group_id'
  | 'organization_id';

/**
 * One condition of a search, its names already resolved to ids. Every kind compiles to SQL
 * that is never NULL, so `negated` (SQL `NOT`) excludes exactly what the condition includes.
 */
export type SearchCriterion = { readonly negated: boolean } & (
  | {
      /** The column holds one of `values`; `null` among them means "is empty". */
      readonly kind: 'column';
      readonly column: SearchColumn;
      readonly values: ReadonlyArray<string | number | null>;
    }
  | {
      /** The time is set, at or after `from` and before `to` (either bound optional). */
      readonly kind: 'date';
      readonly column: 'created_at' | 'updated_at' | 'solved_at';
      readonly from?: Date;
      readonly to?: Date;
    }
  | { readonly kind: 'tags'; readonly tags: readonly string[] }
  | {
      /** These tokens one after the other in the ticket's text, or in its subject only. */
      readonly kind: 'text';
      readonly tokens: readonly string[];
      readonly within: 'text' | 'subject';
    }
);

export interface TicketSearchQuery {
  readonly scope: TicketScope;
  readonly criteria: readonly SearchCriterion[];
  readonly offset: number;
  readonly limit: number;
  readonly sortBy: TicketSort;
  readonly descending: boolean;
}

/**
 * The queries of ticket search: the index's text conditions and the structured filters,
 * always inside the caller's scope, every value a bound parameter.
 */
@Injectable()
export class SearchRepository {
  constructor(
    private readonly db: Database,
    private readonly index: TicketSearchIndex,
  ) {}

  /** One page of the matching tickets, and how many match in all. */
  page(query: TicketSearchQuery): Promise<[TicketEntity[], number]> {
    return this.db.run((m) => {
      const builder = this.matching(m.createQueryBuilder(TicketEntity, 't'), query);
      const direction = query.descending ? 'DESC' : 'ASC';
      builder.orderBy(`t.${TICKET_SORTS[query.sortBy]}`, direction);
      if (query.sortBy !== 'id') builder.addOrderBy('t.id', direction);
      return pageWithTotal(m, builder, query.offset, query.limit);
    });
  }

  count(query: Pick<TicketSearchQuery, 'scope' | 'criteria'>): Promise<number> {
    return this.db.run((m) =>
      countOf(this.matching(m.createQueryBuilder(TicketEntity, 't'), query)),
    );
  }

  /** What the index holds of these tickets, read now; deleted and unknown ones are left out. */
  async documents(ticketIds: readonly number[]): Promise<SearchDocument[]> {
    if (ticketIds.length === 0) return [];
    return this.db.run(async (m) => {
      const tickets = await m.find(TicketEntity, {
        select: { id: true, subject: true },
        where: { id: In([...ticketIds]), deletedAt: IsNull() },
        order: { id: 'ASC' },
      });
      const comments = await m.find(TicketCommentEntity, {
        select: { ticketId: true, body: true },
        where: { ticketId: In(tickets.map((t) => t.id)) },
        order: { id: 'ASC' },
      });
      return tickets.map((ticket) => ({
        ticketId: ticket.id,
        subject: ticket.subject,
        body: comments
          .filter((c) => c.ticketId === ticket.id)
          .map((c) => c.body)
          .join('\n'),
      }));
    });
  }

  /** The ids of the groups or organizations of this name (any case): one at most, names are unique. */
  async idsNamed(kind: 'group' | 'organization', name: string): Promise<number[]> {
    const entity = kind === 'group' ? GroupEntity : OrganizationEntity;
    const rows = await this.db.run((m) =>
      m
        .createQueryBuilder(entity, 'x')
        .select('x.id', 'id')
        .where('LOWER(x.name) = :name', { name: name.toLowerCase() })
        .getRawMany<{ id: number }>(),
    );
    return rows.map((row) => Number(row.id));
  }

  /** Ids of up to `limit` tickets after `afterId` (deleted ones too), in id order: a rebuild's batches. */
  async idsAfter(afterId: number, limit: number): Promise<number[]> {
    const rows = await this.db.run((m) =>
      m.find(TicketEntity, {
        select: { id: true },
        where: { id: MoreThan(afterId) },
        order: { id: 'ASC' },
        take: limit,
      }),
    );
    return rows.map((row) => row.id);
  }

  private matching(
    builder: SelectQueryBuilder<TicketEntity>,
    query: Pick<TicketSearchQuery, 'scope' | 'criteria'>,
  ): SelectQueryBuilder<TicketEntity> {
    scoped(builder, query.scope);
    // The words and phrases a ticket must contain go to the index together, one match per
    // field searched; exclusions stay one each (NOT of a match).
    for (const within of ['text', 'subject'] as const) {
      const phrases = query.criteria.flatMap((c) =>
        c.kind === 'text' && !c.negated && c.within === within ? [c.tokens] : [],
      );
      if (phrases.length === 0) continue;
      const condition = this.index.contains(phrases, within, `match_${within}`);
      builder.andWhere(condition.sql, condition.params);
    }
    query.criteria.forEach((criterion, i) => {
      if (criterion.kind === 'text' && !criterion.negated) return;
      const condition = this.condition(criterion, `s${i}`);
      builder.andWhere(
        criterion.negated ? `NOT (${condition.sql})` : condition.sql,
        condition.params,
      );
    });
    return builder;
  }

  private condition(criterion: SearchCriterion, name: string): SearchCondition {
    switch (criterion.kind) {
      case 'column': {
        const values = criterion.values.filter((v) => v !== null);
        const parts = criterion.values.includes(null) ? [`t.${criterion.column} IS NULL`] : [];
        if (values.length > 0) {
          parts.push(
            `(t.${criterion.column} IS NOT NULL AND t.${criterion.column} IN (:...${name}))`,
          );
        }
        return {
          sql: parts.length === 0 ? '1 = 0' : `(${parts.join(' OR ')})`,
          params: { [name]: values },
        };
      }
      case 'date': {
        const parts = [`t.${criterion.column} IS NOT NULL`];
        const params: Record<string, Date> = {};
        if (criterion.from) {
          parts.push(`t.${criterion.column} >= :${name}from`);
          params[`${name}from`] = criterion.from;
        }
        if (criterion.to) {
          parts.push(`t.${criterion.column} < :${name}to`);
          params[`${name}to`] = criterion.to;
        }
        return { sql: `(${parts.join(' AND ')})`, params };
      }
      case 'tags':
        if (criterion.tags.length === 0) return { sql: '1 = 0', params: {} };
        return {
          sql: `EXISTS (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = t.id AND g.tag IN (:...${name}))`,
          params: { [name]: [...criterion.tags] },
        };
      case 'text':
        return this.index.contains([criterion.tokens], criterion.within, name);
    }
  }
}
