import {
  VIEW_COLUMNS,
  type TicketView,
  type ViewColumn,
  type ViewCondition,
  type ViewCount,
  type ViewEntity,
  type ViewInput,
  type ViewTicketPage,
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
} from '../http/request-body';
import { toZendeskTicket, type ZendeskTicket } from '../tickets/ticket.dto';
import { zendeskTime } from '../users/user.dto';

export interface ZendeskViewColumn {
  id: string;
  title: string;
}

/** A view in the Zendesk Support API v2 shape. */
export interface ZendeskView {
  url: string;
  id: number;
  title: string;
  raw_title: string;
  description: string | null;
  active: boolean;
  position: number;
  default: boolean;
  restriction: { type: string; id: number } | null;
  conditions: { all: ViewCondition[]; any: ViewCondition[] };
  execution: {
    columns: ZendeskViewColumn[];
    fields: ZendeskViewColumn[];
    custom_fields: never[];
    sort_by: string;
    sort_order: string;
    group_by: string | null;
    group_order: string;
  };
  created_at: string;
  updated_at: string;
}

export interface ViewResponseDto {
  view: ZendeskView;
}

export interface ViewListDto extends PageLinks {
  views: ZendeskView[];
}

/** One row of `execute`: the ticket's id and summary, and the value of each column. */
export interface ZendeskViewRow {
  ticket_id: number;
  ticket: {
    id: number;
    url: string;
    subject: string;
    status: string;
    priority: string | null;
    type: string | null;
  };
  subject?: string;
  status?: string;
  priority?: string | null;
  type?: string | null;
  requester_id?: number;
  assignee_id?: number | null;
  group_id?: number | null;
  organization_id?: number | null;
  created?: string;
  updated?: string;
}

export interface ViewExecuteDto extends PageLinks {
  view: { id: number; url: string };
  rows: ZendeskViewRow[];
  columns: ZendeskViewColumn[];
  groups: never[];
}

export interface ViewTicketsDto extends PageLinks {
  tickets: ZendeskTicket[];
}

export interface ZendeskViewCount {
  view_id: number;
  url: string;
  value: number;
  pretty: string;
  fresh: boolean;
}

export interface ViewCountDto {
  view_count: ZendeskViewCount;
}

export interface ViewCountManyDto {
  view_counts: ZendeskViewCount[];
}

function restrictionInput(value: unknown): ViewInput['restriction'] {
  if (value === undefined || value === null) return value;
  if (!isObject(value)) throw invalidField('restriction', 'must be null or {"type": …, "id": …}');
  const type = own(value, 'type');
  const id = own(value, 'id');
  if (typeof type !== 'string') throw invalidField('restriction', 'type must be User or Group');
  if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return { type, id };
  if (typeof id === 'string' && /^[1-9]\d{0,14}$/.test(id)) return { type, id: Number(id) };
  throw invalidField('restriction', 'id must be the id of a user or group');
}

/**
 * `{"view": {...}}` → what the service takes. Zendesk sends conditions as `all`/`any` at the
 * top and the columns as `output`; it shows them as `conditions` and `execution`: both work.
 */
export function viewInput(body: unknown): ViewInput {
  const view = envelope(body, 'view');
  const position = own(view, 'position');
  if (position !== undefined && typeof position !== 'number') {
    throw invalidField('position', 'must be a whole number');
  }
  const all = own(view, 'all');
  const any = own(view, 'any');
  const conditions =
    own(view, 'conditions') ?? (all === undefined && any === undefined ? undefined : { all, any });
  return {
    title: text(view, 'title') ?? undefined,
    description: text(view, 'description'),
    active: flag(view, 'active'),
    position,
    restriction: restrictionInput(own(view, 'restriction')),
    conditions,
    execution: own(view, 'execution') ?? own(view, 'output'),
  };
}

function columnsOf(columns: readonly ViewColumn[]): ZendeskViewColumn[] {
  return columns.map((id) => ({ id, title: VIEW_COLUMNS[id] }));
}

export function toZendeskView(view: ViewEntity, publicUrl: string): ZendeskView {
  const { execution } = view;
  return {
    url: `${publicUrl}/api/v2/views/${view.id}.json`,
    id: view.id,
    title: view.title,
    raw_title: view.title,
    description: view.description,
    active: view.active,
    position: view.position,
    default: view.defaultKey !== null,
    restriction:
      view.restrictionType === null || view.restrictionId === null
        ? null
        : { type: view.restrictionType, id: view.restrictionId },
    conditions: { all: [...view.conditions.all], any: [...view.conditions.any] },
    execution: {
      columns: columnsOf(execution.columns),
      fields: columnsOf(execution.columns),
      custom_fields: [],
      sort_by: execution.sortBy,
      sort_order: execution.sortOrder,
      group_by: execution.groupBy,
      group_order: execution.groupOrder,
    },
    created_at: zendeskTime(view.createdAt),
    updated_at: zendeskTime(view.updatedAt),
  };
}

/** Every view in one page, as Zendesk lists them. */
export function toViewList(views: readonly ViewEntity[], publicUrl: string): ViewListDto {
  return {
    views: views.map((view) => toZendeskView(view, publicUrl)),
    next_page: null,
    previous_page: null,
    count: views.length,
  };
}

function toRow(
  view: TicketView,
  columns: readonly ViewColumn[],
  publicUrl: string,
): ZendeskViewRow {
  const { ticket } = view;
  const row: ZendeskViewRow = {
    ticket_id: ticket.id,
    ticket: {
      id: ticket.id,
      url: `${publicUrl}/api/v2/tickets/${ticket.id}.json`,
      subject: ticket.subject,
      status: ticket.status,
      priority: ticket.priority,
      type: ticket.type,
    },
  };
  for (const column of columns) {
    switch (column) {
      case 'subject':
      case 'status':
      case 'priority':
      case 'type':
        Object.assign(row, { [column]: ticket[column] });
        break;
      case 'requester':
        row.requester_id = ticket.requesterId;
        break;
      case 'assignee':
        row.assignee_id = ticket.assigneeId;
        break;
      case 'group':
        row.group_id = ticket.groupId;
        break;
      case 'organization':
        row.organization_id = ticket.organizationId;
        break;
      case 'created':
        row.created = zendeskTime(ticket.createdAt);
        break;
      case 'updated':
        row.updated = zendeskTime(ticket.updatedAt);
        break;
    }
  }
  return row;
}

export function toViewExecute(
  page: ViewTicketPage,
  request: PageRequest,
  publicUrl: string,
): ViewExecuteDto {
  const { view } = page;
  const columns = view.execution.columns;
  return {
    view: { id: view.id, url: `${publicUrl}/api/v2/views/${view.id}.json` },
    rows: page.tickets.map((ticket) => toRow(ticket, columns, publicUrl)),
    columns: columnsOf(columns),
    groups: [],
    ...pageLinks(`${publicUrl}/api/v2/views/${view.id}/execute.json`, request, page.count),
  };
}

export function toViewTickets(
  page: ViewTicketPage,
  request: PageRequest,
  publicUrl: string,
): ViewTicketsDto {
  return {
    tickets: page.tickets.map((ticket) => toZendeskTicket(ticket, publicUrl)),
    ...pageLinks(`${publicUrl}/api/v2/views/${page.view.id}/tickets.json`, request, page.count),
  };
}

export function toZendeskViewCount(count: ViewCount, publicUrl: string): ZendeskViewCount {
  return {
    view_id: count.viewId,
    url: `${publicUrl}/api/v2/views/${count.viewId}/count.json`,
    value: count.value,
    pretty: count.value.toLocaleString('en-US'),
    fresh: true,
  };
}
