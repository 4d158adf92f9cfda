import { Injectable } from '@nestjs/common';
import { GroupEntity } from '@steward/identity';
import { Database } from '@steward/persistence';
import { TicketCollaboratorEntity } from './ticket-collaborator.entity';
import { TicketCommentEntity } from './ticket-comment.entity';
import { scoped } from './ticket.repository';
import type { TicketScope } from './ticket-scope';
import { type TicketStatus, TicketEntity } from './ticket.entity';

/** The orders a request list may take (Zendesk's `sort_by`); ties are broken by id. */
export const REQUEST_SORTS = {
  created_at: 'createdAt',
  updated_at: 'updatedAt',
} as const;
export type RequestSort = keyof typeof REQUEST_SORTS;

/**
 * Which tickets a request list holds (tickets that were not deleted): those `requesterId`
 * requested, those `copiedUserId` is CC'd on, or those of `organizationId`. With
 * `sharedOrganization` (a member of a sharing organization asks) never a confidential group's
 * ticket; with `scope` (staff ask about someone else) only tickets inside it.
 */
export interface RequestListQuery {
  readonly requesterId?: number;
  readonly copiedUserId?: number;
  readonly organizationId?: number;
  readonly sharedOrganization?: boolean;
  readonly scope?: TicketScope;
  /** Only requests in one of these statuses; undefined: any. */
  readonly statuses?: readonly TicketStatus[];
  readonly offset: number;
  readonly limit: number;
  readonly sortBy: RequestSort;
  readonly descending: boolean;
}

/** The queries of the Requests API that the ticket repository has no use for. */
@Injectable()
export class RequestRepository {
  constructor(private readonly db: Database) {}

  /** One page of the tickets the query names, and how many there are in all. */
  page(query: RequestListQuery): Promise<[TicketEntity[], number]> {
    return this.db.run((m) => {
      const builder = m.createQueryBuilder(TicketEntity, 't');
      if (query.scope === undefined) builder.where('t.deleted_at IS NULL');
      else scoped(builder, query.scope);
      if (query.requesterId !== undefined) {
        builder.andWhere('t.requester_id = :requesterId', { requesterId: query.requesterId });
      }
      if (query.copiedUserId !== undefined) {
        const copied = m
          .createQueryBuilder(TicketCollaboratorEntity, 'cc')
          .select('cc.ticketId')
          .where('cc.kind = :ccKind')
          .andWhere('cc.user_id = :copiedUserId');
        builder.andWhere(`t.id IN (${copied.getQuery()})`, {
          ccKind: 'cc',
          copiedUserId: query.copiedUserId,
        });
      }
      if (query.organizationId !== undefined) {
        builder.andWhere('t.organization_id = :organizationId', {
          organizationId: query.organizationId,
        });
      }
      if (query.sharedOrganization === true) {
        // The in-memory rule (requestAccess) treats a group that cannot be found as confidential.
        const open = m
          .createQueryBuilder(GroupEntity, 'g')
          .select('g.id')
          .where('g.confidential = :confidential');
        builder.andWhere(`(t.group_id IS NULL OR t.group_id IN (${open.getQuery()}))`, {
          confidential: false,
        });
      }
      if (query.statuses !== undefined) {
        builder.andWhere('t.status IN (:...statuses)', { statuses: [...query.statuses] });
      }
      const direction = query.descending ? 'DESC' : 'ASC';
      return builder
        .orderBy(`t.${REQUEST_SORTS[query.sortBy]}`, direction)
        .addOrderBy('t.id', direction)
        .skip(query.offset)
        .take(query.limit)
        .getManyAndCount();
    });
  }

  /**
   * The first public comment of each ticket: a request's `description`, which must never show
   * an internal note, even one written first.
   */
  async firstPublicComments(ticketIds: readonly number[]): Promise<Map<number, string>> {
    if (ticketIds.length === 0) return new Map();
    const rows = await this.db.run((m) =>
      m
        .createQueryBuilder(TicketCommentEntity, 'c')
        .where('c.ticket_id IN (:...ids)', { ids: [...ticketIds] })
        .andWhere('c.is_public = :public', { public: true })
        .andWhere(
          'c.id = (SELECT MIN(f.id) FROM ticket_comments f WHERE f.ticket_id = c.ticket_id AND f.is_public = :public)',
        )
        .getMany(),
    );
    return new Map(rows.map((row) => [row.ticketId, row.body]));
  }
}
