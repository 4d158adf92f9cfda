import { Injectable } from '@nestjs/common';
import {
  ConfidentialAccess,
  GroupMembershipService,
  GroupService,
  isActiveUser,
  OrganizationService,
  PolicyService,
  UserAccountService,
  type UserEntity,
  UserService,
} from '@steward/identity';
import { Database, DomainEvents } from '@steward/persistence';
import { Clock, CONTROL_CHARACTERS, ErrorCode, StewardError } from '@steward/platform';
import {
  htmlFromPlain,
  MAX_COMMENT_BYTES,
  plainFromHtml,
  sanitizeCommentHtml,
} from './comment-body';
import type { TicketAuditEntity, TicketAuditEventEntity } from './ticket-audit.entity';
import type { CollaboratorKind } from './ticket-collaborator.entity';
import type { TicketCommentEntity } from './ticket-comment.entity';
import { type TicketDomainEvent } from './ticket.events';
import {
  type AuditEventRow,
  cursorOf,
  type TicketCursor,
  type TicketRow,
  TicketRepository,
  type TicketSort,
} from './ticket.repository';
import { changeEvent, commentEvent, sameValue } from './ticket-audit-events';
import {
  checkDueAt,
  checkExternalId,
  checkPriority,
  checkStatus,
  checkSubject,
  checkType,
  firstLine,
  nextStatus,
  normaliseTags,
} from './ticket-rules';
import { scopeAllows, type TicketScope } from './ticket-scope';
import type { TicketEntity, TicketType, ViaChannel } from './ticket.entity';
import { TicketError } from './ticket.errors';
import type { RequestCommentInput, RequestInput } from './request-input';
import { UploadTokens } from './upload-tokens';
import {
  type CustomFieldInput,
  type CustomFieldValue,
  TicketFieldValues,
  type FieldPlan,
} from './ticket-field-values';

export const MAX_COLLABORATORS = 48;
/** The tag of a ticket closed by a merge into another, as Zendesk tags it. */
export const MERGED_TAG = 'closed_by_merge';

/** Who changes a ticket, and through which channel. */
export interface TicketActor {
  readonly user: Readonly<UserEntity>;
  readonly via: ViaChannel;
}

export interface CommentInput {
  readonly body?: string;
  readonly htmlBody?: string;
  /** Public reply (the default) or internal note. */
  readonly isPublic?: boolean;
  /** Someone else as the author (e.g. the requester, for a ticket an agent files for them). */
  readonly authorId?: number;
  /** Upload tokens (`POST /api/v2/uploads`) of the actor's whose files the comment takes. */
  readonly uploads?: readonly string[];
}

/** A requester named by email, created as an end-user when nobody has that email yet. */
export interface RequesterInput {
  readonly email: string;
  readonly name?: string;
}

/** What a client may set on a ticket; on update, an absent field stays as it is. */
export interface TicketInput {
  readonly subject?: string;
  readonly comment?: CommentInput;
  readonly requesterId?: number;
  readonly requester?: RequesterInput;
  readonly submitterId?: number;
  readonly assigneeId?: number | null;
  readonly groupId?: number | null;
  readonly organizationId?: number | null;
  readonly status?: string;
  readonly priority?: string | null;
  readonly type?: string | null;
  readonly tags?: readonly string[];
  readonly additionalTags?: readonly string[];
  readonly removeTags?: readonly string[];
  readonly collaboratorIds?: readonly number[];
  readonly followerIds?: readonly number[];
  readonly externalId?: string | null;
  readonly dueAt?: Date | null;
  readonly problemId?: number | null;
  /** Zendesk's `custom_fields` (or `fields`): values of custom ticket fields. */
  readonly customFields?: readonly CustomFieldInput[];
  /** Zendesk's safe update: refuse the change when the ticket changed since this time. */
  readonly updatedStamp?: Date;
}

/** A ticket as the API shows it. */
export interface TicketView {
  readonly ticket: TicketEntity;
  readonly tags: readonly string[];
  readonly collaboratorIds: readonly number[];
  readonly followerIds: readonly number[];
  /** The first comment's text (Zendesk's `description`). */
  readonly description: string;
  readonly hasIncidents: boolean;
  /** Every active custom field with the ticket's value (null when unset). */
  readonly customFields: readonly CustomFieldValue[];
}

export interface TicketListOptions {
  readonly offset: number;
  readonly perPage: number;
  readonly sortBy?: TicketSort;
  readonly descending?: boolean;
  readonly requesterId?: number;
  readonly assigneeId?: number;
  readonly organizationId?: number;
}

export interface TicketPage {
  readonly tickets: readonly TicketView[];
  readonly count: number;
}

export interface TicketCursorOptions extends Omit<TicketListOptions, 'offset' | 'perPage'> {
  readonly size: number;
  readonly after?: TicketCursor;
  readonly before?: TicketCursor;
}

export interface TicketCursorPage {
  readonly tickets: readonly TicketView[];
  /** More tickets follow in the direction of travel. */
  readonly hasMore: boolean;
  /** The places of the first and last ticket of the page; none when it is empty. */
  readonly first?: TicketCursor;
  readonly last?: TicketCursor;
}

export interface CommentPage {
  readonly comments: readonly TicketCommentEntity[];
  readonly count: number;
}

export interface AuditPage {
  readonly audits: ReadonlyArray<{
    readonly audit: TicketAuditEntity;
    readonly events: readonly TicketAuditEventEntity[];
  }>;
  readonly count: number;
}

/** The fields a change is recorded for, in Zendesk's names. */
const AUDITED_FIELDS = [
  ['subject', 'subject'],
  ['status', 'status'],
  ['priority', 'priority'],
  ['type', 'type'],
  ['requester_id', 'requesterId'],
  ['assignee_id', 'assigneeId'],
  ['group_id', 'groupId'],
  ['organization_id', 'organizationId'],
  ['problem_id', 'problemId'],
  ['due_at', 'dueAt'],
  ['external_id', 'externalId'],
] as const satisfies ReadonlyArray<readonly [string, keyof TicketRow]>;

/**
 * Tickets: the rules of who sees and changes what, the status rules, and the record of every
 * change (ticket audits). Changes commit with their audit in one transaction; domain events
 * follow the commit.
 */
@Injectable()
export class TicketService {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly users: UserService,
    private readonly accounts: UserAccountService,
    private readonly groups: GroupService,
    private readonly memberships: GroupMembershipService,
    private readonly organizations: OrganizationService,
    private readonly policy: PolicyService,
    private readonly confidential: ConfidentialAccess,
    private readonly events: DomainEvents,
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly uploadTokens: UploadTokens,
    private readonly fieldValues: TicketFieldValues,
  ) {}

  /** Which tickets the user may see now (see TicketScope). */
  async scopeOf(user: Readonly<UserEntity>): Promise<TicketScope> {
    if (!this.policy.can(user, 'tickets.read')) {
      throw new StewardError(ErrorCode.Forbidden, 'You do not have access to tickets');
    }
    // Agents' own groups are read once, for both their scope and the confidentiality filter.
    const groupIds = this.policy.can(user, 'tickets.read_all')
      ? undefined
      : await this.memberGroupIds(user.id);
    const filter = await this.confidential.contentFilter(user, groupIds);
    const hiddenGroupIds = filter.kind === 'none' ? [] : filter.hiddenGroupIds;
    return groupIds === undefined
      ? { userId: user.id, hiddenGroupIds }
      : { userId: user.id, hiddenGroupIds, groupIds };
  }

  async list(user: Readonly<UserEntity>, options: TicketListOptions): Promise<TicketPage> {
    const [rows, count] = await this.tickets.page({
      scope: await this.scopeOf(user),
      offset: options.offset,
      limit: options.perPage,
      sortBy: options.sortBy ?? 'id',
      descending: options.descending ?? false,
      requesterId: options.requesterId,
      assigneeId: options.assigneeId,
      organizationId: options.organizationId,
    });
    return { tickets: await this.views(rows), count };
  }

  /** A page of a list by cursor (see TicketRepository.pageFrom), with the cursors of its ends. */
  async listFrom(
    user: Readonly<UserEntity>,
    options: TicketCursorOptions,
  ): Promise<TicketCursorPage> {
    const sortBy = options.sortBy ?? 'id';
    const { tickets, hasMore } = await this.tickets.pageFrom({
      scope: await this.scopeOf(user),
      limit: options.size,
      sortBy,
      descending: options.descending ?? false,
      after: options.after,
      before: options.before,
      requesterId: options.requesterId,
      assigneeId: options.assigneeId,
      organizationId: options.organizationId,
    });
    return {
      tickets: await this.views(tickets),
      hasMore,
      first: tickets.length > 0 ? cursorOf(tickets[0], sortBy) : undefined,
      last: tickets.length > 0 ? cursorOf(tickets[tickets.length - 1], sortBy) : undefined,
    };
  }

  async show(id: number, user: Readonly<UserEntity>): Promise<TicketView> {
    const [view] = await this.views([await this.visible(id, user)]);
    return view;
  }

  /** The tickets of these ids the user may see; the others are left out, as Zendesk does. */
  async showMany(ids: readonly number[], user: Readonly<UserEntity>): Promise<TicketView[]> {
    return this.views(await this.tickets.findVisible(ids, await this.scopeOf(user)));
  }

  async create(input: TicketInput, actor: TicketActor): Promise<TicketView> {
    this.require(actor.user, 'tickets.write', 'You do not have access to create tickets');
    return this.insert(input, actor, 'create');
  }

  /**
   * A request (the Requests API, RequestService): a ticket the actor files for themselves, with
   * a subject and a public first comment; placed like any new ticket (default group, the
   * requester's organization).
   */
  async createRequest(input: RequestInput, actor: TicketActor): Promise<TicketView> {
    this.require(actor.user, 'requests.own', 'You do not have access to requests');
    const comment = input.comment && publicReply(input.comment);
    return this.insert(
      { subject: input.subject, comment, customFields: input.customFields },
      actor,
      'request',
    );
  }

  private async insert(
    input: TicketInput,
    actor: TicketActor,
    when: 'create' | 'request',
  ): Promise<TicketView> {
    const comment = this.commentOf(input.comment, actor.user, when);
    if (!comment)
      throw TicketError.invalid('comment', 'is required: send {"comment": {"body": "…"}}');
    const subject = checkSubject(input.subject ?? firstLine(comment.body));
    const priority = checkPriority(input.priority);
    const type = checkType(input.type);
    const tags = normaliseTags(input.tags ?? []).sort();
    const externalId = checkExternalId(input.externalId);
    const now = this.clock.now();
    const id = await this.db.transaction(async () => {
      const requester = await this.requesterOf(input, actor);
      const submitterId = await this.existingUser(input.submitterId, 'submitter_id', actor.user.id);
      const { groupId, assigneeId } = await this.placement(
        input.groupId ?? null,
        input.assigneeId ?? null,
        { groupId: null, assigneeId: null },
        true,
      );
      const status = nextStatus(undefined, checkStatus(input.status), { assigneeId });
      const fieldPlan = await this.fieldValues.plan(undefined, input.customFields, {
        audience: when === 'request' ? 'portal' : 'staff',
        solving: status === 'solved',
      });
      const allTags = this.fieldValues.retag(fieldPlan, tags).sort();
      const row: TicketRow = {
        subject,
        status,
        priority: priority ?? null,
        type: type ?? null,
        requesterId: requester.id,
        submitterId,
        assigneeId,
        groupId,
        organizationId: await this.organizationOf(input.organizationId, requester),
        problemId: await this.problemOf(
          input.problemId ?? null,
          type ?? null,
          undefined,
          actor.user,
        ),
        dueAt: checkDueAt(input.dueAt ?? null, type ?? null),
        viaChannel: actor.via,
        externalId: externalId ?? null,
        isPublic: comment.isPublic,
        createdAt: now,
        updatedAt: now,
        solvedAt: status === 'solved' ? now : null,
        deletedAt: null,
      };
      const ticket = await this.tickets.insert(row);
      await this.tickets.setTags(ticket.id, allTags);
      await this.fieldValues.save(ticket.id, fieldPlan);
      const collaborators = await this.setCollaborators(ticket.id, input);
      const saved = await this.tickets.insertComment({
        ticketId: ticket.id,
        authorId: await this.existingUser(comment.authorId, 'author_id', actor.user.id),
        isPublic: comment.isPublic,
        body: comment.body,
        htmlBody: comment.htmlBody,
        viaChannel: actor.via,
        createdAt: now,
      });
      await this.uploadTokens.attach(comment.uploads, actor.user.id, {
        ticketId: ticket.id,
        commentId: saved.id,
      });
      const events: AuditEventRow[] = [commentEvent(saved)];
      for (const [field, column] of AUDITED_FIELDS) {
        const value = row[column];
        if (value !== null) events.push(changeEvent('Create', field, value, null));
      }
      if (allTags.length > 0) events.push(changeEvent('Create', 'tags', allTags, null));
      events.push(...this.fieldValues.events(fieldPlan, 'Create'));
      for (const [field, ids] of collaborators) {
        events.push(changeEvent('Create', field, ids, null));
      }
      await this.tickets.insertAudit(
        { ticketId: ticket.id, authorId: actor.user.id, viaChannel: actor.via, createdAt: now },
        events,
      );
      this.publish({ type: 'ticket.created', ticketId: ticket.id });
      this.publish({
        type: 'comment.added',
        ticketId: ticket.id,
        commentId: saved.id,
        isPublic: saved.isPublic,
      });
      return ticket.id;
    });
    const [view] = await this.views([await this.found(id)]);
    return view;
  }

  async update(id: number, input: TicketInput, actor: TicketActor): Promise<TicketView> {
    const comment = this.commentOf(input.comment, actor.user, 'update');
    const fieldsChanged = changesFields(input);
    if (!fieldsChanged && !comment) {
      throw TicketError.invalid('ticket', 'has nothing to change: send fields or a comment');
    }
    if (fieldsChanged) {
      this.require(actor.user, 'tickets.write', 'You do not have access to change this ticket');
    }
    const subject = input.subject === undefined ? undefined : checkSubject(input.subject);
    const priority = checkPriority(input.priority);
    const type = checkType(input.type);
    const requestedStatus = checkStatus(input.status);
    const externalId = checkExternalId(input.externalId);
    await this.db.transaction(async () => {
      const ticket = await this.visible(id, actor.user);
      if (ticket.status === 'closed')
        throw TicketError.invalid('status', 'closed prevents ticket update');
      // The API shows times to the second, and a client sends back the `updated_at` it read.
      if (input.updatedStamp && !sameSecond(input.updatedStamp, ticket.updatedAt)) {
        throw new StewardError(
          ErrorCode.Conflict,
          'The ticket was changed since updated_stamp; load it again and retry',
        );
      }
      const now = this.clock.now();
      const changes: { -readonly [K in keyof TicketRow]?: TicketRow[K] } = {};
      if (subject !== undefined) changes.subject = subject;
      if (priority !== undefined) changes.priority = priority;
      if (type !== undefined) changes.type = type;
      if (externalId !== undefined) changes.externalId = externalId;
      if (input.requesterId !== undefined || input.requester !== undefined) {
        const requester = await this.requesterOf(input, actor);
        changes.requesterId = requester.id;
        if (input.organizationId === undefined)
          changes.organizationId = requester.organizationId ?? null;
      }
      if (input.organizationId !== undefined) {
        changes.organizationId = await this.existingOrganization(input.organizationId);
      }
      const placement = await this.placement(
        input.groupId === undefined ? ticket.groupId : input.groupId,
        input.assigneeId === undefined ? ticket.assigneeId : input.assigneeId,
        ticket,
        false,
      );
      let { assigneeId } = placement;
      // Zendesk assigns an unassigned ticket to the agent who solves it (a member of its group).
      if (requestedStatus === 'solved' && assigneeId === null && this.assignable(actor.user)) {
        ({ assigneeId } = await this.placement(
          placement.groupId,
          actor.user.id,
          { groupId: placement.groupId, assigneeId: null },
          false,
        ));
      }
      changes.groupId = placement.groupId;
      changes.assigneeId = assigneeId;
      const status = nextStatus(ticket.status, requestedStatus, { assigneeId });
      const fieldPlan = await this.fieldValues.plan(ticket.id, input.customFields, {
        audience: 'staff',
        solving: status === 'solved' && ticket.status !== 'solved',
      });
      changes.status = status;
      if (status === 'solved' && ticket.status !== 'solved') changes.solvedAt = now;
      if (status !== 'solved' && status !== 'closed') changes.solvedAt = null;
      const finalType = type === undefined ? ticket.type : type;
      if (input.problemId !== undefined || type !== undefined) {
        changes.problemId = await this.problemOf(
          input.problemId === undefined ? ticket.problemId : input.problemId,
          finalType,
          ticket.id,
          actor.user,
        );
      }
      if (input.dueAt !== undefined || type !== undefined) {
        changes.dueAt = checkDueAt(
          input.dueAt === undefined ? ticket.dueAt : input.dueAt,
          finalType,
        );
      }
      const events: AuditEventRow[] = [];
      for (const [field, column] of AUDITED_FIELDS) {
        const before = ticket[column];
        const after = changes[column];
        if (after === undefined || sameValue(before, after)) {
          delete changes[column];
          continue;
        }
        events.push(changeEvent('Change', field, after, before));
      }
      const tagChange = await this.changeTags(ticket.id, input, fieldPlan);
      if (tagChange) events.push(changeEvent('Change', 'tags', tagChange.after, tagChange.before));
      await this.fieldValues.save(ticket.id, fieldPlan);
      events.push(...this.fieldValues.events(fieldPlan, 'Change'));
      for (const [field, ids, before] of await this.changeCollaborators(ticket.id, input)) {
        events.push(changeEvent('Change', field, ids, before));
      }
      let saved: TicketCommentEntity | undefined;
      if (comment) {
        saved = await this.tickets.insertComment({
          ticketId: ticket.id,
          authorId: await this.existingUser(comment.authorId, 'author_id', actor.user.id),
          isPublic: comment.isPublic,
          body: comment.body,
          htmlBody: comment.htmlBody,
          viaChannel: actor.via,
          createdAt: now,
        });
        await this.uploadTokens.attach(comment.uploads, actor.user.id, {
          ticketId: ticket.id,
          commentId: saved.id,
        });
        events.unshift(commentEvent(saved));
        if (comment.isPublic && !ticket.isPublic) changes.isPublic = true;
      }
      if (events.length === 0) return;
      await this.tickets.update(ticket.id, { ...changes, updatedAt: now });
      await this.tickets.insertAudit(
        { ticketId: ticket.id, authorId: actor.user.id, viaChannel: actor.via, createdAt: now },
        events,
      );
      const fields = events.flatMap((event) => (event.fieldName === null ? [] : [event.fieldName]));
      if (fields.length > 0) this.publish({ type: 'ticket.updated', ticketId: ticket.id, fields });
      if (saved) {
        this.publish({
          type: 'comment.added',
          ticketId: ticket.id,
          commentId: saved.id,
          isPublic: saved.isPublic,
        });
      }
    });
    const [view] = await this.views([await this.found(id)]);
    return view;
  }

  /**
   * A change through the Requests API by someone RequestService found may see the ticket: a
   * public reply (`reply`, when they may comment) and "this is solved" (`solve`, when they may
   * solve it). A reply reopens a pending or solved ticket — the requester has answered — unless
   * it also solves it; a closed ticket changes no more.
   */
  async changeRequest(
    id: number,
    change: { reply?: RequestCommentInput; solve: boolean },
    actor: TicketActor,
  ): Promise<TicketView> {
    this.require(actor.user, 'requests.own', 'You do not have access to requests');
    const comment = this.commentOf(
      change.reply && publicReply(change.reply),
      actor.user,
      'request',
    );
    await this.db.transaction(async () => {
      const ticket = await this.found(id);
      const now = this.clock.now();
      const reopens = comment && (ticket.status === 'pending' || ticket.status === 'solved');
      const requested = change.solve ? 'solved' : reopens ? 'open' : undefined;
      const status = nextStatus(ticket.status, requested, { assigneeId: ticket.assigneeId });
      if (status === 'solved' && ticket.status !== 'solved') {
        await this.fieldValues.plan(ticket.id, undefined, { audience: 'portal', solving: true });
      }
      const changes: { -readonly [K in keyof TicketRow]?: TicketRow[K] } = { updatedAt: now };
      const events: AuditEventRow[] = [];
      if (status !== ticket.status) {
        changes.status = status;
        changes.solvedAt = status === 'solved' ? now : null;
        events.push(changeEvent('Change', 'status', status, ticket.status));
      }
      let saved: TicketCommentEntity | undefined;
      if (comment) {
        saved = await this.tickets.insertComment({
          ticketId: ticket.id,
          authorId: actor.user.id,
          isPublic: true,
          body: comment.body,
          htmlBody: comment.htmlBody,
          viaChannel: actor.via,
          createdAt: now,
        });
        await this.uploadTokens.attach(comment.uploads, actor.user.id, {
          ticketId: ticket.id,
          commentId: saved.id,
        });
        events.unshift(commentEvent(saved));
        if (!ticket.isPublic) changes.isPublic = true;
      }
      if (events.length === 0) return;
      await this.tickets.update(ticket.id, changes);
      await this.tickets.insertAudit(
        { ticketId: ticket.id, authorId: actor.user.id, viaChannel: actor.via, createdAt: now },
        events,
      );
      if (changes.status) {
        this.publish({ type: 'ticket.updated', ticketId: ticket.id, fields: ['status'] });
      }
      if (saved) {
        this.publish({
          type: 'comment.added',
          ticketId: ticket.id,
          commentId: saved.id,
          isPublic: true,
        });
      }
    });
    const [view] = await this.views([await this.found(id)]);
    return view;
  }

  /**
   * Closes a ticket merged into another (TicketMergeService), in one audit: the comment that
   * says where it went, status closed from whatever open status it had (the status rules allow
   * closed only from solved; a merge is the exception) and the tag `closed_by_merge`.
   */
  async closeMerged(id: number, note: CommentInput, actor: TicketActor): Promise<TicketView> {
    this.require(actor.user, 'tickets.write', 'You do not have access to change this ticket');
    const comment = this.commentOf(note, actor.user, 'update');
    if (!comment) throw TicketError.invalid('source_comment', 'is required');
    await this.db.transaction(async () => {
      const ticket = await this.visible(id, actor.user);
      if (ticket.status === 'closed') {
        throw TicketError.invalid('status', 'closed prevents ticket update');
      }
      const now = this.clock.now();
      const saved = await this.tickets.insertComment({
        ticketId: ticket.id,
        authorId: actor.user.id,
        isPublic: comment.isPublic,
        body: comment.body,
        htmlBody: comment.htmlBody,
        viaChannel: actor.via,
        createdAt: now,
      });
      const events: AuditEventRow[] = [
        commentEvent(saved),
        changeEvent('Change', 'status', 'closed', ticket.status),
      ];
      const tagChange = await this.changeTags(ticket.id, { additionalTags: [MERGED_TAG] });
      if (tagChange) events.push(changeEvent('Change', 'tags', tagChange.after, tagChange.before));
      await this.tickets.update(ticket.id, {
        status: 'closed',
        solvedAt: ticket.solvedAt ?? now,
        updatedAt: now,
        ...(comment.isPublic && !ticket.isPublic ? { isPublic: true } : {}),
      });
      await this.tickets.insertAudit(
        { ticketId: ticket.id, authorId: actor.user.id, viaChannel: actor.via, createdAt: now },
        events,
      );
      this.publish({ type: 'ticket.updated', ticketId: ticket.id, fields: ['status', 'tags'] });
      this.publish({
        type: 'comment.added',
        ticketId: ticket.id,
        commentId: saved.id,
        isPublic: saved.isPublic,
      });
    });
    const [view] = await this.views([await this.found(id)]);
    return view;
  }

  /** Deletes the ticket (kept as deleted, invisible everywhere); audited as a ticket change. */
  async delete(id: number, actor: TicketActor): Promise<void> {
    this.require(actor.user, 'tickets.delete', 'You do not have access to delete tickets');
    await this.db.transaction(async () => {
      const ticket = await this.visible(id, actor.user);
      const now = this.clock.now();
      await this.tickets.update(ticket.id, { deletedAt: now, updatedAt: now });
      await this.tickets.insertAudit(
        { ticketId: ticket.id, authorId: actor.user.id, viaChannel: actor.via, createdAt: now },
        [changeEvent('Change', 'deleted', true, false)],
      );
      this.publish({ type: 'ticket.deleted', ticketId: ticket.id });
    });
  }

  async comments(
    id: number,
    user: Readonly<UserEntity>,
    window: { offset: number; perPage: number; descending?: boolean },
  ): Promise<CommentPage> {
    const ticket = await this.visible(id, user);
    const [comments, count] = await this.tickets.comments(ticket.id, {
      offset: window.offset,
      limit: window.perPage,
      publicOnly: false,
      descending: window.descending ?? false,
    });
    return { comments, count };
  }

  async audits(
    id: number,
    user: Readonly<UserEntity>,
    window: { offset: number; perPage: number },
  ): Promise<AuditPage> {
    const ticket = await this.visible(id, user);
    const [audits, count] = await this.tickets.audits(ticket.id, window.offset, window.perPage);
    return { audits, count };
  }

  /** The ticket when the user may see it; otherwise "not found", whether or not it exists. */
  private async visible(id: number, user: Readonly<UserEntity>): Promise<TicketEntity> {
    const scope = await this.scopeOf(user);
    const ticket = await this.tickets.findById(id);
    if (!ticket || !scopeAllows(scope, ticket)) throw TicketError.notFound();
    return ticket;
  }

  private async found(id: number): Promise<TicketEntity> {
    const ticket = await this.tickets.findById(id);
    if (!ticket) throw TicketError.notFound();
    return ticket;
  }

  private require(user: Readonly<UserEntity>, permission: string, message: string): void {
    if (!this.policy.can(user, permission)) throw new StewardError(ErrorCode.Forbidden, message);
  }

  private publish(event: TicketDomainEvent): void {
    this.events.publish(event);
  }

  /**
   * These tickets as the API shows them, for a caller already allowed to see them: tags,
   * collaborators, descriptions and incidents in one query each, however many tickets.
   */
  async views(rows: readonly TicketEntity[]): Promise<TicketView[]> {
    const ids = rows.map((row) => row.id);
    const [tags, collaborators, first, incidents, fields] = await Promise.all([
      this.tickets.tagsOf(ids),
      this.tickets.collaboratorsOf(ids),
      this.tickets.firstComments(ids),
      this.tickets.problemsWithIncidents(rows.filter((r) => r.type === 'problem').map((r) => r.id)),
      this.fieldValues.valuesOf(ids, 'staff'),
    ]);
    return rows.map((ticket) => ({
      ticket,
      tags: tags.filter((t) => t.ticketId === ticket.id).map((t) => t.tag),
      collaboratorIds: collaborators
        .filter((c) => c.ticketId === ticket.id && c.kind === 'cc')
        .map((c) => c.userId),
      followerIds: collaborators
        .filter((c) => c.ticketId === ticket.id && c.kind === 'follower')
        .map((c) => c.userId),
      description: first.get(ticket.id)?.body ?? '',
      hasIncidents: incidents.has(ticket.id),
      customFields: fields.get(ticket.id) ?? [],
    }));
  }

  private async memberGroupIds(userId: number): Promise<number[]> {
    return (await this.memberships.listOfUsers([userId])).map((m) => m.groupId);
  }

  /**
   * Checks a comment and cleans its HTML; the author must be allowed to write this kind. A
   * requester's comment (`request`: public, their own) needs no staff permission.
   */
  private commentOf(
    input: CommentInput | undefined,
    actor: Readonly<UserEntity>,
    when: 'create' | 'update' | 'request',
  ):
    | {
        body: string;
        htmlBody: string;
        isPublic: boolean;
        authorId: number;
        uploads: readonly string[];
      }
    | undefined {
    if (input === undefined) return undefined;
    const isPublic = input.isPublic ?? true;
    if (when !== 'request') {
      this.require(
        actor,
        isPublic ? 'tickets.comment_public' : 'tickets.comment_internal',
        isPublic
          ? 'You may add internal notes only (send "public": false)'
          : 'You do not have access to add internal notes',
      );
    }
    let htmlBody: string;
    let body: string;
    if (input.htmlBody !== undefined && input.htmlBody.trim() !== '') {
      htmlBody = sanitizeCommentHtml(input.htmlBody);
      body = plainFromHtml(htmlBody);
    } else if (input.body !== undefined) {
      body = input.body.replace(/\r\n/g, '\n').trim();
      htmlBody = htmlFromPlain(body);
    } else {
      throw TicketError.invalid('comment', 'needs a body or an html_body');
    }
    if (body === '') throw TicketError.invalid('comment', 'cannot be blank');
    for (const [field, value] of [
      ['body', body],
      ['html_body', htmlBody],
    ] as const) {
      if (Buffer.byteLength(value, 'utf8') > MAX_COMMENT_BYTES) {
        throw TicketError.invalid(field, `is too long: at most ${MAX_COMMENT_BYTES} bytes`);
      }
    }
    if (CONTROL_CHARACTERS.test(body))
      throw TicketError.invalid('body', 'contains control characters');
    const authorId = input.authorId ?? actor.id;
    if (authorId !== actor.id && when === 'update' && !this.policy.can(actor, 'tickets.write')) {
      throw new StewardError(ErrorCode.Forbidden, 'You may not write as someone else');
    }
    return { body, htmlBody, isPublic, authorId, uploads: input.uploads ?? [] };
  }

  /** The requester: by id, by email (created as an end-user if new), or the actor. */
  private async requesterOf(input: TicketInput, actor: TicketActor): Promise<UserEntity> {
    if (input.requesterId !== undefined) {
      const user = await this.users.findById(input.requesterId);
      if (!user || !isActiveUser(user)) throw TicketError.invalid('requester_id', 'is not a user');
      return user;
    }
    if (input.requester !== undefined) {
      const existing = await this.users.findByEmail(input.requester.email);
      if (existing) {
        if (!isActiveUser(existing))
          throw TicketError.invalid('requester', 'is not an active user');
        return existing;
      }
      return this.accounts.create(
        { email: input.requester.email, name: input.requester.name, role: 'end-user' },
        { user: actor.user, audit: { actorType: 'user', actorId: actor.user.id } },
      );
    }
    const user = await this.users.findById(actor.user.id);
    if (!user) throw TicketError.invalid('requester_id', 'is not a user');
    return user;
  }

  private async existingUser(
    id: number | undefined,
    field: string,
    fallback: number,
  ): Promise<number> {
    if (id === undefined) return fallback;
    const user = await this.users.findById(id);
    if (!user || user.erasedAt !== null) throw TicketError.invalid(field, 'is not a user');
    return user.id;
  }

  private async existingOrganization(id: number | null): Promise<number | null> {
    if (id === null) return null;
    try {
      return (await this.organizations.show(id)).organization.id;
    } catch {
      throw TicketError.invalid('organization_id', 'is not an organization');
    }
  }

  private async organizationOf(
    id: number | null | undefined,
    requester: Pick<UserEntity, 'organizationId'>,
  ): Promise<number | null> {
    if (id !== undefined) return this.existingOrganization(id);
    return requester.organizationId ?? null;
  }

  /** May this user be assigned tickets: active admins and agents; not light agents or end-users. */
  private assignable(user: Pick<UserEntity, 'role' | 'active' | 'erasedAt'>): boolean {
    return isActiveUser(user) && (user.role === 'admin' || user.role === 'agent');
  }

  /**
   * The group and assignee after a change: the group must exist; the assignee must be staff
   * who may be assigned, and a member of the group. A new ticket with an assignee and no group
   * goes to the assignee's default group, with neither to the default group for new tickets. A
   * group change that leaves the assignee outside the new group unassigns the ticket. An update
   * that moves neither is left alone (even if its assignee has left the group since).
   */
  private async placement(
    groupId: number | null,
    assigneeId: number | null,
    before: { groupId: number | null; assigneeId: number | null },
    creating: boolean,
  ): Promise<{ groupId: number | null; assigneeId: number | null }> {
    const groupMoved = groupId !== before.groupId;
    const assigneeMoved = assigneeId !== before.assigneeId;
    if (!creating && !groupMoved && !assigneeMoved) return { groupId, assigneeId };
    if (groupId !== null && groupMoved) {
      const group = await this.groups.show(groupId).catch(() => undefined);
      if (!group || group.deletedAt !== null) {
        throw TicketError.invalid('group_id', 'is not a group');
      }
    }
    if (assigneeId === null) {
      return { groupId: groupId ?? (creating ? await this.defaultGroupId() : null), assigneeId };
    }
    if (assigneeMoved) {
      const assignee = await this.users.findById(assigneeId);
      if (!assignee || !this.assignable(assignee)) {
        throw TicketError.invalid('assignee_id', 'is not an agent who can be assigned tickets');
      }
    }
    const memberships = await this.memberships.listOfUsers([assigneeId]);
    if (groupId === null) {
      const home = memberships.find((m) => m.isDefault) ?? memberships[0];
      return { groupId: home?.groupId ?? null, assigneeId };
    }
    if (memberships.some((m) => m.groupId === groupId)) return { groupId, assigneeId };
    if (groupMoved && !assigneeMoved) return { groupId, assigneeId: null };
    throw TicketError.invalid('assignee_id', 'is not a member of the ticket’s group');
  }

  private async defaultGroupId(): Promise<number | null> {
    return (await this.groups.defaultGroup())?.id ?? null;
  }

  /** An incident's problem: a problem ticket the actor may see; only incidents have one. */
  private async problemOf(
    problemId: number | null,
    type: TicketType | null,
    self: number | undefined,
    user: Readonly<UserEntity>,
  ): Promise<number | null> {
    if (problemId === null) return null;
    if (type !== 'incident') throw TicketError.invalid('problem_id', 'is only for incidents');
    if (problemId === self) throw TicketError.invalid('problem_id', 'cannot be the ticket itself');
    const scope = await this.scopeOf(user);
    const problem = await this.tickets.findById(problemId);
    if (!problem || !scopeAllows(scope, problem) || problem.type !== 'problem') {
      throw TicketError.invalid('problem_id', 'is not a problem ticket');
    }
    return problem.id;
  }

  private async setCollaborators(
    ticketId: number,
    input: TicketInput,
  ): Promise<Array<readonly [string, readonly number[]]>> {
    const set: Array<readonly [string, readonly number[]]> = [];
    for (const [field, kind, ids] of collaboratorInputs(input)) {
      if (ids === undefined || ids.length === 0) continue;
      const checked = await this.checkCollaborators(field, kind, ids);
      await this.tickets.setCollaborators(ticketId, kind, checked);
      set.push([field, checked]);
    }
    return set;
  }

  private async changeCollaborators(
    ticketId: number,
    input: TicketInput,
  ): Promise<Array<readonly [string, readonly number[], readonly number[]]>> {
    const changed: Array<readonly [string, readonly number[], readonly number[]]> = [];
    const current = await this.tickets.collaboratorsOf([ticketId]);
    for (const [field, kind, ids] of collaboratorInputs(input)) {
      if (ids === undefined) continue;
      const before = current.filter((c) => c.kind === kind).map((c) => c.userId);
      const after = await this.checkCollaborators(field, kind, ids);
      if (sameValue(before, after)) continue;
      await this.tickets.setCollaborators(ticketId, kind, after);
      changed.push([field, after, before]);
    }
    return changed;
  }

  private async checkCollaborators(
    field: string,
    kind: CollaboratorKind,
    ids: readonly number[],
  ): Promise<number[]> {
    const unique = [...new Set(ids)];
    if (unique.length > MAX_COLLABORATORS) {
      throw TicketError.invalid(field, `at most ${MAX_COLLABORATORS} people`);
    }
    for (const id of unique) {
      const user = await this.users.findById(id);
      if (!user || !isActiveUser(user)) throw TicketError.invalid(field, `${id} is not a user`);
      if (kind === 'follower' && user.role === 'end-user') {
        throw TicketError.invalid(field, `${id} is not an agent; only staff follow tickets`);
      }
    }
    return unique.sort((a, b) => a - b);
  }

  private async changeTags(
    ticketId: number,
    input: TicketInput,
    fields: FieldPlan = { changes: [] },
  ): Promise<{ before: string[]; after: string[] } | undefined> {
    if (
      input.tags === undefined &&
      input.additionalTags === undefined &&
      input.removeTags === undefined &&
      !this.fieldValues.changesTags(fields)
    ) {
      return undefined;
    }
    const before = (await this.tickets.tagsOf([ticketId])).map((t) => t.tag);
    let after = input.tags === undefined ? [...before] : normaliseTags(input.tags);
    if (input.additionalTags !== undefined) {
      after = normaliseTags([...after, ...normaliseTags(input.additionalTags, 'additional_tags')]);
    }
    if (input.removeTags !== undefined) {
      const removed = new Set(normaliseTags(input.removeTags, 'remove_tags'));
      after = after.filter((tag) => !removed.has(tag));
    }
    after = this.fieldValues.retag(fields, after).sort();
    if (sameValue([...before].sort(), after)) return undefined;
    await this.tickets.setTags(ticketId, after);
    return { before, after };
  }
}

function sameSecond(a: Date, b: Date): boolean {
  return Math.floor(a.getTime() / 1_000) === Math.floor(b.getTime() / 1_000);
}

function collaboratorInputs(
  input: TicketInput,
): Array<readonly [string, CollaboratorKind, readonly number[] | undefined]> {
  return [
    ['collaborator_ids', 'cc', input.collaboratorIds],
    ['follower_ids', 'follower', input.followerIds],
  ];
}

/** A requester's comment as the ticket rules take it: public, by the actor, nothing else. */
function publicReply(reply: RequestCommentInput): CommentInput {
  return { body: reply.body, htmlBody: reply.htmlBody, isPublic: true, uploads: reply.uploads };
}

function changesFields(input: TicketInput): boolean {
  return (
    [
      input.subject,
      input.requesterId,
      input.requester,
      input.submitterId,
      input.assigneeId,
      input.groupId,
      input.organizationId,
      input.status,
      input.priority,
      input.type,
      input.tags,
      input.additionalTags,
      input.removeTags,
      input.collaboratorIds,
      input.followerIds,
      input.externalId,
      input.dueAt,
      input.problemId,
      input.customFields,
    ] as unknown[]
  ).some((value) => value !== undefined);
}
