import type {
  AuditPage,
  CommentInput,
  CommentPage,
  RequesterInput,
  TicketAuditEventEntity,
  TicketCommentEntity,
  TicketInput,
  TicketPage,
  TicketView,
} from '@steward/tickets';
import {
  envelope,
  flag,
  pageLinks,
  text,
  textList,
  type PageLinks,
  type PageRequest,
  invalidField,
  isObject,
  own,
  recordIdValue,
} from '../http/request-body';
import { zendeskTime } from '../users/user.dto';
import type { ZendeskAttachment } from '../attachments/attachment.dto';
import {
  customFieldsInput,
  toZendeskCustomFields,
  type ZendeskCustomFieldValue,
} from './ticket-field.dto';

/** A ticket in the Zendesk Support API v2 shape (custom fields and satisfaction: none yet). */
export interface ZendeskTicket {
  url: string;
  id: number;
  external_id: string | null;
  via: {
    channel: string;
    source: { from: Record<string, never>; to: Record<string, never>; rel: null };
  };
  created_at: string;
  updated_at: string;
  type: string | null;
  subject: string;
  raw_subject: string;
  description: string;
  priority: string | null;
  status: string;
  recipient: null;
  requester_id: number;
  submitter_id: number;
  assignee_id: number | null;
  organization_id: number | null;
  group_id: number | null;
  collaborator_ids: number[];
  follower_ids: number[];
  email_cc_ids: number[];
  problem_id: number | null;
  has_incidents: boolean;
  is_public: boolean;
  due_at: string | null;
  tags: string[];
  custom_fields: ZendeskCustomFieldValue[];
  /** The same list as custom_fields (Zendesk's alias). */
  fields: ZendeskCustomFieldValue[];
  satisfaction_rating: null;
  sharing_agreement_ids: never[];
  followup_ids: never[];
  brand_id: null;
  allow_channelback: boolean;
  allow_attachments: boolean;
}

export interface TicketResponseDto {
  ticket: ZendeskTicket;
}

export interface TicketListDto extends PageLinks {
  tickets: ZendeskTicket[];
}

export interface ShowManyDto {
  tickets: ZendeskTicket[];
}

export interface ZendeskComment {
  id: number;
  type: 'Comment';
  author_id: number;
  body: string;
  html_body: string;
  plain_body: string;
  public: boolean;
  attachments: ZendeskAttachment[];
  via: { channel: string };
  created_at: string;
  metadata: Record<string, never>;
}

export interface CommentListDto extends PageLinks {
  comments: ZendeskComment[];
}

export interface ZendeskAuditEvent {
  id: number;
  type: string;
  field_name?: string;
  value?: unknown;
  previous_value?: unknown;
  comment_id?: number;
  /** The file an AttachmentRedactionEvent replaced. */
  attachment_id?: number;
  /** A CommentPrivacyChange: the comment is now an internal note. */
  public?: boolean;
}

export interface ZendeskTicketAudit {
  id: number;
  ticket_id: number;
  created_at: string;
  author_id: number | null;
  via: { channel: string };
  metadata: Record<string, never>;
  events: ZendeskAuditEvent[];
}

export interface AuditListDto extends PageLinks {
  audits: ZendeskTicketAudit[];
}

const NO_SOURCE = { from: {}, to: {}, rel: null } as const;

/** An id field: undefined when absent, null when sent as null. */
function optionalId(
  object: Readonly<Record<string, unknown>>,
  field: string,
): number | null | undefined {
  const value = own(object, field);
  if (value === undefined || value === null) return value;
  return recordIdValue(field, value);
}

function idList(object: Readonly<Record<string, unknown>>, field: string): number[] | undefined {
  const value = own(object, field);
  if (value === undefined) return undefined;
  if (value === null) return [];
  if (!Array.isArray(value)) throw invalidField(field, 'must be a list of ids');
  return value.map((item) => recordIdValue(field, item));
}

function timeField(
  object: Readonly<Record<string, unknown>>,
  field: string,
): Date | null | undefined {
  const value = own(object, field);
  if (value === undefined || value === null) return value;
  if (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)
  ) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw invalidField(field, 'must be an ISO 8601 time, e.g. 2026-11-21T08:00:00Z');
}

function commentInput(value: unknown): CommentInput | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidField('comment', 'must be an object: {"body": "…"}');
  const isPublic = flag(value, 'public');
  const authorId = optionalId(value, 'author_id');
  return {
    body: text(value, 'body') ?? undefined,
    htmlBody: text(value, 'html_body') ?? undefined,
    isPublic,
    authorId: authorId ?? undefined,
    uploads: textList(value, 'uploads'),
  };
}

function requesterInput(value: unknown): RequesterInput | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value))
    throw invalidField('requester', 'must be an object: {"name": …, "email": …}');
  const email = text(value, 'email');
  if (!email) throw invalidField('requester', 'needs an email');
  return { email, name: text(value, 'name') ?? undefined };
}

/** `{"ticket": {...}}` → what the service takes; unknown fields are ignored, as Zendesk does. */
export function ticketInput(body: unknown, creating: boolean): TicketInput {
  const ticket = envelope(body, 'ticket');
  let comment = commentInput(own(ticket, 'comment'));
  // Zendesk accepts `description` as the first comment when no comment is given.
  const description = text(ticket, 'description');
  if (creating && comment === undefined && description) comment = { body: description };
  const safeUpdate = flag(ticket, 'safe_update');
  const updatedStamp = timeField(ticket, 'updated_stamp');
  if (safeUpdate === true && !updatedStamp) {
    throw invalidField('updated_stamp', 'is required with safe_update');
  }
  return {
    subject: text(ticket, 'subject') ?? undefined,
    comment,
    requesterId: optionalId(ticket, 'requester_id') ?? undefined,
    requester: requesterInput(own(ticket, 'requester')),
    submitterId: optionalId(ticket, 'submitter_id') ?? undefined,
    assigneeId: optionalId(ticket, 'assignee_id'),
    groupId: optionalId(ticket, 'group_id'),
    organizationId: optionalId(ticket, 'organization_id'),
    status: text(ticket, 'status') ?? undefined,
    priority: text(ticket, 'priority'),
    type: text(ticket, 'type'),
    tags: textList(ticket, 'tags'),
    additionalTags: textList(ticket, 'additional_tags'),
    removeTags: textList(ticket, 'remove_tags'),
    collaboratorIds: idList(ticket, 'collaborator_ids'),
    followerIds: idList(ticket, 'follower_ids'),
    externalId: text(ticket, 'external_id'),
    dueAt: timeField(ticket, 'due_at'),
    problemId: optionalId(ticket, 'problem_id'),
    customFields: customFieldsInput(ticket),
    updatedStamp: safeUpdate === true ? (updatedStamp ?? undefined) : undefined,
  };
}

export function toZendeskTicket(view: TicketView, publicUrl: string): ZendeskTicket {
  const { ticket } = view;
  return {
    url: `${publicUrl}/api/v2/tickets/${ticket.id}.json`,
    id: ticket.id,
    external_id: ticket.externalId,
    via: { channel: ticket.viaChannel, source: NO_SOURCE },
    created_at: zendeskTime(ticket.createdAt),
    updated_at: zendeskTime(ticket.updatedAt),
    type: ticket.type,
    subject: ticket.subject,
    raw_subject: ticket.subject,
    description: view.description,
    priority: ticket.priority,
    status: ticket.status,
    recipient: null,
    requester_id: ticket.requesterId,
    submitter_id: ticket.submitterId,
    assignee_id: ticket.assigneeId,
    organization_id: ticket.organizationId,
    group_id: ticket.groupId,
    collaborator_ids: [...view.collaboratorIds],
    follower_ids: [...view.followerIds],
    email_cc_ids: [...view.collaboratorIds],
    problem_id: ticket.problemId,
    has_incidents: view.hasIncidents,
    is_public: ticket.isPublic,
    due_at: ticket.dueAt === null ? null : zendeskTime(ticket.dueAt),
    tags: [...view.tags],
    custom_fields: toZendeskCustomFields(view.customFields),
    fields: toZendeskCustomFields(view.customFields),
    satisfaction_rating: null,
    sharing_agreement_ids: [],
    followup_ids: [],
    brand_id: null,
    allow_channelback: false,
    allow_attachments: true,
  };
}

export function toTicketList(
  page: TicketPage,
  request: PageRequest,
  url: string,
  publicUrl: string,
  extra = '',
): TicketListDto {
  return {
    tickets: page.tickets.map((view) => toZendeskTicket(view, publicUrl)),
    ...pageLinks(url, request, page.count, extra),
  };
}

export function toZendeskComment(
  comment: TicketCommentEntity,
  attachments: readonly ZendeskAttachment[] = [],
): ZendeskComment {
  return {
    id: comment.id,
    type: 'Comment',
    author_id: comment.authorId,
    body: comment.body,
    html_body: comment.htmlBody,
    plain_body: comment.body,
    public: comment.isPublic,
    attachments: [...attachments],
    via: { channel: comment.viaChannel },
    created_at: zendeskTime(comment.createdAt),
    metadata: {},
  };
}

export function toCommentList(
  page: CommentPage,
  request: PageRequest,
  url: string,
  attachments: ReadonlyMap<number, readonly ZendeskAttachment[]> = new Map(),
): CommentListDto {
  return {
    comments: page.comments.map((comment) =>
      toZendeskComment(comment, attachments.get(comment.id)),
    ),
    ...pageLinks(url, request, page.count),
  };
}

function parsed(value: string | null): unknown {
  return value === null ? null : (JSON.parse(value) as unknown);
}

function toZendeskEvent(event: TicketAuditEventEntity): ZendeskAuditEvent {
  const commentId = event.commentId ?? undefined;
  switch (event.type) {
    case 'Comment':
    case 'CommentRedactionEvent':
      return { id: event.id, type: event.type, comment_id: commentId };
    case 'AttachmentRedactionEvent':
      return {
        id: event.id,
        type: event.type,
        comment_id: commentId,
        attachment_id: Number(parsed(event.value)),
      };
    case 'CommentPrivacyChange':
      return { id: event.id, type: event.type, comment_id: commentId, public: false };
    case 'Create':
    case 'Change':
      break;
  }
  return {
    id: event.id,
    type: event.type,
    field_name: event.fieldName ?? undefined,
    value: parsed(event.value),
    ...(event.type === 'Change' ? { previous_value: parsed(event.previousValue) } : {}),
  };
}

export function toAuditList(page: AuditPage, request: PageRequest, url: string): AuditListDto {
  return {
    audits: page.audits.map(({ audit, events }) => ({
      id: audit.id,
      ticket_id: audit.ticketId,
      created_at: zendeskTime(audit.createdAt),
      author_id: audit.authorId,
      via: { channel: audit.viaChannel },
      metadata: {},
      events: events.map(toZendeskEvent),
    })),
    ...pageLinks(url, request, page.count),
  };
}
