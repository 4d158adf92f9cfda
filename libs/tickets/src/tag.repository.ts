import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import type { TicketScope } from './ticket-scope';
import { TicketTagEntity } from './ticket-tag.entity';
import { TicketEntity } from './ticket.entity';
import { scoped } from './ticket.repository';

/** A tag and how many tickets carry it. */
export interface TagCount {
  readonly name: string;
  readonly count: number;
}

/**
 * Tags across tickets. Each query starts from the tickets inside the scope and joins their
 * tags; the `(tag, ticket)` index of `ticket_tags` serves the grouping and the prefix search.
 */
@Injectable()
export class TagRepository {
  constructor(private readonly db: Database) {}

  /** The tags of the scope's tickets, most used first (ties by name), one window of them. */
  async popular(scope: TicketScope, offset: number, limit: number): Promise<TagCount[]> {
    const rows = await this.db.run((m) =>
      scoped(m.createQueryBuilder(TicketEntity, 't'), scope)
        .innerJoin(TicketTagEntity, 'tt', 'tt.ticket_id = t.id')
        .select('tt.tag', 'name')
        .addSelect('COUNT(*)', 'uses')
        .groupBy('tt.tag')
        .orderBy('uses', 'DESC')
        .addOrderBy('tt.tag', 'ASC')
        .offset(offset)
        .limit(limit)
        .getRawMany<{ name: string; uses: number | string }>(),
    );
    return rows.map((row) => ({ name: row.name, count: Number(row.uses) }));
  }

  /** How many different tags the scope's tickets carry. */
  async distinctCount(scope: TicketScope): Promise<number> {
    const row = await this.db.run((m) =>
      scoped(m.createQueryBuilder(TicketEntity, 't'), scope)
        .innerJoin(TicketTagEntity, 'tt', 'tt.ticket_id = t.id')
        .select('COUNT(DISTINCT tt.tag)', 'tags')
        .getRawOne<{ tags: number | string }>(),
    );
    return Number(row?.tags ?? 0);
  }

  /** Up to `limit` tags of the scope's tickets that start with `prefix`, in name order. */
  async startingWith(scope: TicketScope, prefix: string, limit: number): Promise<string[]> {
    const pattern = `${prefix.replace(/[!%_]/g, (c) => `!${c}`)}%`;
    const rows = await this.db.run((m) =>
      scoped(m.createQueryBuilder(TicketEntity, 't'), scope)
        .innerJoin(TicketTagEntity, 'tt', 'tt.ticket_id = t.id')
        .andWhere("tt.tag LIKE :pattern ESCAPE '!'", { pattern })
        .select('DISTINCT tt.tag', 'name')
        .orderBy('tt.tag', 'ASC')
        .limit(limit)
        .getRawMany<{ name: string }>(),
    );
    return rows.map((row) => row.name);
  }
}
