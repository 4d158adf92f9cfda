import { Injectable } from '@nestjs/common';
import {
  GroupService,
  OrganizationService,
  PolicyService,
  type UserEntity,
} from '@steward/identity';
import { ErrorCode, StewardError } from '@steward/platform';
import type { RequestChange, RequestInput } from './request-input';
import { type RequestListQuery, RequestRepository, type RequestSort } from './request.repository';
import type { TicketCommentEntity } from './ticket-comment.entity';
import type { TicketEntity, TicketStatus } from './ticket.entity';
import { TicketError } from './ticket.errors';
import { TicketRepository } from './ticket.repository';
import { type TicketActor, TicketService } from './ticket.service';

/** A ticket as its requester (or a CC, or a colleague) sees it: Zendesk's request. */
export interface RequestView {
  readonly ticket: TicketEntity;
  /** The first public comment; never an internal note. */
  readonly description: string;
  /** The people CC'd (Zendesk's `collaborator_ids` and `email_cc_ids`). */
  readonly collaboratorIds: readonly number[];
  /** Whether the caller may mark it solved (`"solved": true`). */
  readonly canBeSolvedByMe: boolean;
}

export interface RequestPage {
  readonly requests: readonly RequestView[];
  readonly count: number;
}

export interface RequestCommentPage {
  readonly comments: readonly TicketCommentEntity[];
  readonly count: number;
}

export interface RequestListOptions {
  readonly offset: number;
  readonly perPage: number;
  readonly statuses?: readonly TicketStatus[];
  readonly sortBy?: RequestSort;
  readonly descending?: boolean;
}

/** A ticket the caller may see as a request, and whether they may comment on it. */
interface Visible {
  readonly ticket: TicketEntity;
  /** Always on their own or one they are CC'd on; on a colleague's only with shared comments. */
  readonly mayComment: boolean;
}

const SOLVABLE: readonly TicketStatus[] = ['new', 'open', 'pending', 'hold'];

/**
 * The Requests API: a requester's view of tickets (Zendesk's requests). The caller sees the
 * tickets they requested or are CC'd on, and their organization's when it shares tickets (never
 * one in a confidential group: a colleague's HR case stays between them and HR); any other is
 * "not found". Only public comments, ever. Members of a sharing organization may comment on a
 * colleague's request only when it also shares comments. Writes go through TicketService, which
 * keeps the ticket rules (status, audits, events).
 */
@Injectable()
export class RequestService {
  constructor(
    private readonly tickets: TicketService,
    private readonly ticketRows: TicketRepository,
    private readonly requests: RequestRepository,
    private readonly organizations: OrganizationService,
    private readonly groups: GroupService,
    private readonly policy: PolicyService,
  ) {}

  /** The caller's own requests (those they requested). */
  async list(user: Readonly<UserEntity>, options: RequestListOptions): Promise<RequestPage> {
    this.requireAccess(user);
    const query: RequestListQuery = {
      requesterId: user.id,
      statuses: options.statuses,
      offset: options.offset,
      limit: options.perPage,
      sortBy: options.sortBy ?? 'created_at',
      descending: options.descending ?? false,
    };
    const [rows, count] = await this.requests.page(query);
    return { requests: await this.views(rows, user), count };
  }

  async show(id: number, user: Readonly<UserEntity>): Promise<RequestView> {
    const { ticket } = await this.visible(id, user);
    const [view] = await this.views([ticket], user);
    return view;
  }

  async create(input: RequestInput, actor: TicketActor): Promise<RequestView> {
    this.requireAccess(actor.user);
    const created = await this.tickets.createRequest(input, actor);
    const [view] = await this.views([created.ticket], actor.user);
    return view;
  }

  /**
   * Adds the caller's public comment and, with `solved: true`, solves the request when they may
   * (`can_be_solved_by_me`). A comment on a solved request reopens it; a closed one is final.
   */
  async update(id: number, change: RequestChange, actor: TicketActor): Promise<RequestView> {
    if (change.comment === undefined && change.solved !== true) {
      throw TicketError.invalid(
        'request',
        'has nothing to change: send a comment or "solved": true',
      );
    }
    const { ticket, mayComment } = await this.visible(id, actor.user);
    if (change.comment !== undefined && !mayComment) {
      throw TicketError.forbidden(
        "Your organization does not share comments: you may not comment on a colleague's request",
      );
    }
    let solve = false;
    if (change.solved === true && ticket.status !== 'solved') {
      if (!this.canBeSolvedBy(ticket, actor.user)) {
        throw TicketError.invalid(
          'solved',
          'only the requester may solve a request, once an agent is assigned and while it is not closed',
        );
      }
      solve = true;
    }
    if (change.comment === undefined && !solve) return this.show(id, actor.user);
    const changed = await this.tickets.changeRequest(
      ticket.id,
      { reply: change.comment, solve },
      actor,
    );
    const [view] = await this.views([changed.ticket], actor.user);
    return view;
  }

  /** The request's public comments, oldest first (or newest first). */
  async comments(
    id: number,
    user: Readonly<UserEntity>,
    window: { offset: number; perPage: number; descending?: boolean },
  ): Promise<RequestCommentPage> {
    const { ticket } = await this.visible(id, user);
    const [comments, count] = await this.ticketRows.comments(ticket.id, {
      offset: window.offset,
      limit: window.perPage,
      publicOnly: true,
      descending: window.descending ?? false,
    });
    return { comments, count };
  }

  private requireAccess(user: Readonly<UserEntity>): void {
    if (!this.policy.can(user, 'requests.own')) {
      throw new StewardError(ErrorCode.Forbidden, 'You do not have access to requests');
    }
  }

  /** The ticket when the caller may see it as a request; otherwise "not found", whether or not it exists. */
  private async visible(id: number, user: Readonly<UserEntity>): Promise<Visible> {
    this.requireAccess(user);
    const ticket = await this.ticketRows.findById(id);
    if (!ticket) throw TicketError.notFound();
    if (ticket.requesterId === user.id) return { ticket, mayComment: true };
    const collaborators = await this.ticketRows.collaboratorsOf([ticket.id]);
    if (collaborators.some((c) => c.kind === 'cc' && c.userId === user.id)) {
      return { ticket, mayComment: true };
    }
    const organizationId = user.organizationId ?? null;
    if (organizationId !== null && ticket.organizationId === organizationId) {
      const shared = await this.organizations.show(organizationId).catch(() => undefined);
      const organization = shared?.organization;
      if (organization?.sharedTickets && !(await this.inConfidentialGroup(ticket))) {
        return { ticket, mayComment: organization.sharedComments };
      }
    }
    throw TicketError.notFound();
  }

  private async inConfidentialGroup(ticket: TicketEntity): Promise<boolean> {
    if (ticket.groupId === null) return false;
    const group = await this.groups.show(ticket.groupId).catch(() => undefined);
    // A group that cannot be found is treated as confidential: deny rather than guess.
    return group === undefined || group.confidential;
  }

  /** Zendesk's `can_be_solved_by_me`: the requester, once an agent is assigned, until solved. */
  private canBeSolvedBy(ticket: TicketEntity, user: Pick<UserEntity, 'id'>): boolean {
    return (
      ticket.requesterId === user.id &&
      ticket.assigneeId !== null &&
      SOLVABLE.includes(ticket.status)
    );
  }

  private async views(
    rows: readonly TicketEntity[],
    user: Readonly<UserEntity>,
  ): Promise<RequestView[]> {
    const ids = rows.map((row) => row.id);
    const [collaborators, descriptions] = await Promise.all([
      this.ticketRows.collaboratorsOf(ids),
      this.requests.firstPublicComments(ids),
    ]);
    return rows.map((ticket) => ({
      ticket,
      description: descriptions.get(ticket.id) ?? '',
      collaboratorIds: collaborators
        .filter((c) => c.ticketId === ticket.id && c.kind === 'cc')
        .map((c) => c.userId),
      canBeSolvedByMe: this.canBeSolvedBy(ticket, user),
    }));
  }
}
