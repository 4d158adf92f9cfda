import {
  REQUEST_SORTS,
  type RequestChange,
  type RequestCommentInput,
  type RequestCommentPage,
  type RequestInput,
  type RequestPage,
  type RequestSort,
  type RequestView,
  TICKET_STATUSES,
  type TicketCommentEntity,
  type TicketStatus,
} from '@steward/tickets';
import {
  envelope,
  flag,
  pageLinks,
  text,
  type PageLinks,
  type PageRequest,
  invalidField,
  isObject,
  own,
  sortQuery,
  type SortRequest,
  textList,
} from '../http/request-body';
import {
  customFieldsInput,
  toZendeskCustomFields,
  type ZendeskCustomFieldValue,
} from '../tickets/ticket-field.dto';
import type { ZendeskAttachment } from '../attachments/attachment.dto';
import { zendeskTime } from '../users/user.dto';

/**
 * A request in the Zendesk Support API v2 shape: a ticket as its requester sees it, without what
 * only staff see (tags, followers, external id, internal notes).
 */
export interface ZendeskRequest {
  url: string;
  id: number;
  subject: string;
  description: string;
  status: string;
  priority: string | null;
  type: string | null;
  requester_id: number;
  organization_id: number | null;
  assignee_id: number | null;
  group_id: number | null;
  via: { channel: string };
  created_at: string;
  updated_at: string;
  due_at: string | null;
  collaborator_ids: number[];
  email_cc_ids: number[];
  is_public: boolean;
  can_be_solved_by_me: boolean;
  solved: boolean;
  recipient: null;
  followup_source_id: null;
  custom_fields: ZendeskCustomFieldValue[];
}

export interface RequestResponseDto {
  request: ZendeskRequest;
}

export interface RequestListDto extends PageLinks {
  requests: ZendeskRequest[];
}

/** A public comment of a request (Zendesk's request comment). */
export interface ZendeskRequestComment {
  id: number;
  type: 'Comment';
  request_id: number;
  author_id: number;
  body: string;
  html_body: string;
  plain_body: string;
  public: true;
  attachments: ZendeskAttachment[];
  created_at: string;
}

export interface RequestCommentListDto extends PageLinks {
  comments: ZendeskRequestComment[];
}

/**
 * `{"body": …}` or `{"html_body": …}`, with `uploads` (the caller's upload tokens); a
 * requester's comment is always public.
 */
function commentInput(value: unknown): RequestCommentInput | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidField('comment', 'must be an object: {"body": "…"}');
  if (flag(value, 'public') === false) {
    throw invalidField('public', 'a requester’s comments are always public');
  }
  return {
    body: text(value, 'body') ?? undefined,
    htmlBody: text(value, 'html_body') ?? undefined,
    uploads: textList(value, 'uploads'),
  };
}

/** `{"request": {"subject", "comment": {"body"}}}`; unknown fields are ignored, as Zendesk does. */
export function requestInput(body: unknown): RequestInput {
  const request = envelope(body, 'request');
  let comment = commentInput(own(request, 'comment'));
  // Zendesk accepts `description` as the first comment when no comment is given.
  const description = text(request, 'description');
  if (comment === undefined && description) comment = { body: description };
  return {
    subject: text(request, 'subject') ?? undefined,
    comment,
    customFields: customFieldsInput(request),
  };
}

/** `{"request": {"comment": {...}, "solved": true}}`. */
export function requestChange(body: unknown): RequestChange {
  const request = envelope(body, 'request');
  return { comment: commentInput(own(request, 'comment')), solved: flag(request, 'solved') };
}

/** `?status=open,pending`: Zendesk's comma-separated statuses of a request list. */
export function statusesQuery(query: unknown): TicketStatus[] | undefined {
  const raw = isObject(query) ? own(query, 'status') : undefined;
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw invalidField('status', 'must be a comma-separated list');
  const statuses = raw.split(',').map((part) => part.trim());
  for (const status of statuses) {
    if (!(TICKET_STATUSES as readonly string[]).includes(status)) {
      throw invalidField('status', `must be among ${TICKET_STATUSES.join(', ')}`);
    }
  }
  return [...new Set(statuses)] as TicketStatus[];
}

/** Request lists: oldest first unless asked otherwise. */
export const REQUEST_LIST_ORDER: SortRequest<RequestSort> = {
  sortBy: 'created_at',
  descending: false,
};

/** Zendesk's `sort_by` (created_at, updated_at) and `sort_order` of request lists. */
export function requestSortOf(query: unknown): SortRequest<RequestSort> {
  return sortQuery(query, REQUEST_SORTS, REQUEST_LIST_ORDER);
}

export function toZendeskRequest(view: RequestView, publicUrl: string): ZendeskRequest {
  const { ticket } = view;
  return {
    url: `${publicUrl}/api/v2/requests/${ticket.id}.json`,
    id: ticket.id,
    subject: ticket.subject,
    description: view.description,
    status: ticket.status,
    priority: ticket.priority,
    type: ticket.type,
    requester_id: ticket.requesterId,
    organization_id: ticket.organizationId,
    assignee_id: ticket.assigneeId,
    group_id: ticket.groupId,
    via: { channel: ticket.viaChannel },
    created_at: zendeskTime(ticket.createdAt),
    updated_at: zendeskTime(ticket.updatedAt),
    due_at: ticket.dueAt === null ? null : zendeskTime(ticket.dueAt),
    collaborator_ids: [...view.collaboratorIds],
    email_cc_ids: [...view.collaboratorIds],
    is_public: ticket.isPublic,
    can_be_solved_by_me: view.canBeSolvedByMe,
    solved: ticket.status === 'solved' || ticket.status === 'closed',
    recipient: null,
    followup_source_id: null,
    custom_fields: toZendeskCustomFields(view.customFields),
  };
}

export function toRequestList(
  page: RequestPage,
  request: PageRequest,
  url: string,
  publicUrl: string,
  extra = '',
): RequestListDto {
  return {
    requests: page.requests.map((view) => toZendeskRequest(view, publicUrl)),
    ...pageLinks(url, request, page.count, extra),
  };
}

function toZendeskRequestComment(
  comment: TicketCommentEntity,
  attachments: readonly ZendeskAttachment[] = [],
): ZendeskRequestComment {
  return {
    id: comment.id,
    type: 'Comment',
    request_id: comment.ticketId,
    author_id: comment.authorId,
    body: comment.body,
    html_body: comment.htmlBody,
    plain_body: comment.body,
    public: true,
    attachments: [...attachments],
    created_at: zendeskTime(comment.createdAt),
  };
}

export function toRequestCommentList(
  page: RequestCommentPage,
  request: PageRequest,
  url: string,
  extra = '',
  attachments: ReadonlyMap<number, readonly ZendeskAttachment[]> = new Map(),
): RequestCommentListDto {
  return {
    comments: page.comments.map((comment) =>
      toZendeskRequestComment(comment, attachments.get(comment.id)),
    ),
    ...pageLinks(url, request, page.count, extra),
  };
}
