import { Injectable } from '@nestjs/common';
import type { UserEntity } from '@steward/identity';
import { TicketRelationsRepository } from './ticket-relations.repository';
import { type TicketPage, TicketService } from './ticket.service';

/** Zendesk's `ticket_related`: what a ticket is linked to. Steward has no Jira or forum links. */
export interface TicketRelated {
  readonly topicId: null;
  readonly jiraIssueIds: readonly never[];
  readonly followupSourceIds: readonly never[];
  readonly fromArchive: false;
  /** How many incidents of this problem the caller may see. */
  readonly incidents: number;
}

/**
 * The links between tickets: a problem's incidents. Counts and lists hold only the tickets the
 * caller may see (their TicketScope: confidential groups stay hidden), so neither says that an
 * incident the caller cannot see exists.
 */
@Injectable()
export class TicketRelationsService {
  constructor(
    private readonly tickets: TicketService,
    private readonly relations: TicketRelationsRepository,
  ) {}

  async related(id: number, user: Readonly<UserEntity>): Promise<TicketRelated> {
    const { ticket } = await this.tickets.show(id, user);
    const incidents = await this.relations.incidentCount(
      await this.tickets.scopeOf(user),
      ticket.id,
    );
    return {
      topicId: null,
      jiraIssueIds: [],
      followupSourceIds: [],
      fromArchive: false,
      incidents,
    };
  }

  /** One page of the problem's incidents the caller may see, by id. */
  async incidents(
    id: number,
    user: Readonly<UserEntity>,
    window: { offset: number; perPage: number },
  ): Promise<TicketPage> {
    const { ticket } = await this.tickets.show(id, user);
    const [rows, count] = await this.relations.incidents(
      await this.tickets.scopeOf(user),
      ticket.id,
      { offset: window.offset, limit: window.perPage },
    );
    const views = await this.tickets.showMany(
      rows.map((row) => row.id),
      user,
    );
    return { tickets: views, count };
  }
}
