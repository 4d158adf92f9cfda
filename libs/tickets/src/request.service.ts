import { Injectable } from '@nestjs/common';
import {
  GroupService,
  OrganizationService,
  PolicyService,
  type UserEntity,
  UserService,
} from '@steward/identity';
import { ErrorCode, StewardError } from '@steward/platform';
import { type RequestAccess, requestAccess } from './request-access';
import type { RequestChange, RequestInput } from './request-input';
import { type RequestListQuery, RequestRepository, type RequestSort } from './request.repository';
import type { TicketCommentEntity } from './ticket-comment.entity';
import type { TicketEntity, TicketStatus } from './ticket.entity';
import { TicketError } from './ticket.errors';
import { TicketRepository } from './ticket.repository';
import { type TicketActor, TicketService } from './ticket.service';
import { type CustomFieldValue, TicketFieldValues } from './ticket-field-values';

/** A ticket as its requester (or a CC, or a colleague) sees it: Zendesk's request. */
export interface RequestView {
  readonly ticket: TicketEntity;
  /** The first public comment; never an internal note. */
  readonly description: string;
  /** The people CC'd (Zendesk's `collaborator_ids` and `email_cc_ids`). */
  readonly collaboratorIds: readonly number[];
  /** Whether the caller may mark it solved (`"solved": true`). */
  readonly canBeSolvedByMe: boolean;
  /** The custom fields visible in the help center, with the ticket's values. */
  readonly customFields: readonly CustomFieldValue[];
}

export interface RequestPage {
  readonly requests: readonly RequestView[];
  readonly count: number;
}

export interface RequestCommentPage {
  readonly comments: readonly TicketCommentEntity[];
  readonly count: number;
}

/**
 * The request lists beyond the caller's own (Zendesk's `requests/ccd`, `requests/solved`,
 * `requests/open`, `users/{id}/requests`, `organizations/{id}/requests`).
 */
export type RequestList =
  | { readonly kind: 'mine' }
  | { readonly kind: 'ccd' }
  | { readonly kind: 'solved' }
  | { readonly kind: 'open' }
  | { readonly kind: 'user'; readonly userId: number }
  | { readonly kind: 'organization'; readonly organizationId: number };

/** `requests/open.json`: requests nobody solved yet. */
export const OPEN_REQUEST_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'hold'];
/** `requests/solved.json`: solved requests, closed ones included. */
export const SOLVED_REQUEST_STATUSES: readonly TicketStatus[] = ['solved', 'closed'];

export interface RequestListOptions {
  readonly offset: number;
  readonly perPage: number;
  readonly statuses?: readonly TicketStatus[];
  readonly sortBy?: RequestSort;
  readonly descending?: boolean;
}

/** A ticket the caller may see as a request, and how they reach it. */
interface Visible {
  readonly ticket: TicketEntity;
  readonly access: RequestAccess;
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
    private readonly users: UserService,
    private readonly fieldValues: TicketFieldValues,
  ) {}

  /** The caller's own requests (those they requested). */
  async list(user: Readonly<UserEntity>, options: RequestListOptions): Promise<RequestPage> {
    return this.listOf({ kind: 'mine' }, user, options);
  }

  /**
   * One of the request lists: the caller's own (`mine`, and `solved` or `open` of them), those
   * they are CC'd on (`ccd`), a user's (`user`: an end-user only their own, staff those inside
   * their ticket scope) or an organization's (`organization`: its members when it shares
   * tickets, never a confidential group's; staff those inside their ticket scope). A list the
   * caller may not see is "not found". `options.statuses` narrows any of them.
   */
  async listOf(
    list: RequestList,
    user: Readonly<UserEntity>,
    options: RequestListOptions,
  ): Promise<RequestPage> {
    this.requireAccess(user);
    const within = await this.criteriaOf(list, user);
    const statuses = narrowed(options.statuses, within.statuses);
    if (statuses !== undefined && statuses.length === 0) return { requests: [], count: 0 };
    const query: RequestListQuery = {
      ...within.query,
      statuses,
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
    const { ticket, access } = await this.visible(id, actor.user);
    if (change.comment !== undefined && !access.mayComment) {
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

  /**
   * How the user reaches this ticket through the Requests API (see requestAccess), or undefined.
   * Attachments follow it too: a public comment's files are the request's.
   */
  async accessTo(
    ticket: TicketEntity,
    user: Readonly<UserEntity>,
  ): Promise<RequestAccess | undefined> {
    if (!this.policy.can(user, 'requests.own')) return undefined;
    const copiedUserIds = (await this.ticketRows.collaboratorsOf([ticket.id]))
      .filter((c) => c.kind === 'cc')
      .map((c) => c.userId);
    const organizationId = user.organizationId ?? null;
    const member = organizationId !== null && ticket.organizationId === organizationId;
    const organization = member ? await this.organizationOf(organizationId) : undefined;
    const confidentialGroup = organization?.sharedTickets
      ? await this.inConfidentialGroup(ticket)
      : false;
    return requestAccess(user, ticket, { copiedUserIds, organization, confidentialGroup });
  }

  /** The ticket when the caller may see it as a request; otherwise "not found", whether or not it exists. */
  private async visible(id: number, user: Readonly<UserEntity>): Promise<Visible> {
    this.requireAccess(user);
    const ticket = await this.ticketRows.findById(id);
    const access = ticket ? await this.accessTo(ticket, user) : undefined;
    if (!ticket || !access) throw TicketError.notFound();
    return { ticket, access };
  }

  /** Which tickets a list holds, and the statuses it is limited to. */
  private async criteriaOf(
    list: RequestList,
    user: Readonly<UserEntity>,
  ): Promise<{ query: Partial<RequestListQuery>; statuses?: readonly TicketStatus[] }> {
    switch (list.kind) {
      case 'mine':
        return { query: { requesterId: user.id } };
      case 'solved':
        return { query: { requesterId: user.id }, statuses: SOLVED_REQUEST_STATUSES };
      case 'open':
        return { query: { requesterId: user.id }, statuses: OPEN_REQUEST_STATUSES };
      case 'ccd':
        return { query: { copiedUserId: user.id } };
      case 'user': {
        if (list.userId === user.id) return { query: { requesterId: user.id } };
        if (!this.policy.can(user, 'tickets.read')) throw TicketError.notFound();
        if (!(await this.users.findById(list.userId))) throw TicketError.notFound();
        return { query: { requesterId: list.userId, scope: await this.tickets.scopeOf(user) } };
      }
      case 'organization': {
        const organization = await this.organizationOf(list.organizationId);
        if (!organization) throw TicketError.notFound();
        if (this.policy.can(user, 'tickets.read')) {
          return {
            query: {
              organizationId: list.organizationId,
              scope: await this.tickets.scopeOf(user),
            },
          };
        }
        if ((user.organizationId ?? null) !== list.organizationId || !organization.sharedTickets) {
          throw TicketError.notFound();
        }
        return { query: { organizationId: list.organizationId, sharedOrganization: true } };
      }
    }
  }

  private async organizationOf(
    id: number,
  ): Promise<{ sharedTickets: boolean; sharedComments: boolean } | undefined> {
    const found = await this.organizations.show(id).catch(() => undefined);
    return found?.organization;
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
    const [collaborators, descriptions, fields] = await Promise.all([
      this.ticketRows.collaboratorsOf(ids),
      this.requests.firstPublicComments(ids),
      this.fieldValues.valuesOf(ids, 'portal'),
    ]);
    return rows.map((ticket) => ({
      ticket,
      description: descriptions.get(ticket.id) ?? '',
      collaboratorIds: collaborators
        .filter((c) => c.ticketId === ticket.id && c.kind === 'cc')
        .map((c) => c.userId),
      canBeSolvedByMe: this.canBeSolvedBy(ticket, user),
      customFields: fields.get(ticket.id) ?? [],
    }));
  }
}

/** The statuses asked for, within those a list is limited to. */
function narrowed(
  asked: readonly TicketStatus[] | undefined,
  limit: readonly TicketStatus[] | undefined,
): readonly TicketStatus[] | undefined {
  if (limit === undefined) return asked;
  return asked === undefined ? limit : asked.filter((status) => limit.includes(status));
}
