import type { AuditEntry, AuditQuery } from '@steward/audit';
import { invalidField } from '../http/request-body';
import { zendeskTime } from '../users/user.dto';

/** An audit log entry in the Zendesk Support API v2 shape, with Steward's dotted actions. */
export interface ZendeskAuditLog {
  url: string;
  id: number;
  actor_id: number | null;
  actor_type: string;
  action: string;
  action_label: string;
  source_id: number | null;
  source_type: string | null;
  source_label: string;
  change_description: string;
  ip_address: string | null;
  created_at: string;
}

export interface AuditLogListDto {
  audit_logs: ZendeskAuditLog[];
  meta: { has_more: boolean; after_cursor: string | null; before_cursor: null };
  links: { prev: null; next: string | null };
}

export interface AuditLogResponseDto {
  audit_log: ZendeskAuditLog;
}

function numeric(id: string | null): number | null {
  return id !== null && /^\d{1,15}$/.test(id) ? Number(id) : null;
}

export function toZendeskAuditLog(entry: AuditEntry, publicUrl: string): ZendeskAuditLog {
  return {
    url: `${publicUrl}/api/v2/audit_logs/${entry.id}.json`,
    id: entry.id,
    actor_id: numeric(entry.actorId),
    actor_type: entry.actorType,
    action: entry.action,
    action_label: entry.action,
    source_id: numeric(entry.targetId),
    source_type: entry.targetType,
    source_label:
      entry.targetType === null ? '' : `${entry.targetType} ${entry.targetId ?? ''}`.trim(),
    change_description: entry.details === null ? '' : JSON.stringify(entry.details),
    ip_address: entry.ip,
    created_at: zendeskTime(entry.occurredAt),
  };
}

/**
 * A query parameter by its literal name (`filter[action]`), as Express's simple parser keeps
 * it; a repeated parameter arrives as a list.
 */
function param(query: unknown, name: string): string | string[] | undefined {
  if (typeof query !== 'object' || query === null || !Object.hasOwn(query, name)) return undefined;
  const value: unknown = (query as Record<string, unknown>)[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) {
    return value;
  }
  throw invalidField(name, 'must be text');
}

function single(query: unknown, name: string): string | undefined {
  const value = param(query, name);
  if (Array.isArray(value)) throw invalidField(name, 'may be given once');
  return value === '' ? undefined : value;
}

function time(value: string, name: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw invalidField(name, 'must be an ISO 8601 time');
  }
  return date;
}

/**
 * `filter[action]`, `filter[actor_id]`, `filter[source_type]`, `filter[source_id]`,
 * `filter[created_at][]` (from, to), `page[size]` (1 to 100) and `page[after]`.
 */
export function auditQuery(query: unknown): AuditQuery {
  const size = single(query, 'page[size]');
  if (size !== undefined && (!/^\d{1,3}$/.test(size) || Number(size) < 1 || Number(size) > 100)) {
    throw invalidField('page[size]', 'must be a whole number from 1 to 100');
  }
  const created = param(query, 'filter[created_at][]');
  const range = created === undefined ? [] : Array.isArray(created) ? created : [created];
  if (range.length !== 0 && range.length !== 2) {
    throw invalidField('filter[created_at]', 'must be two times: from and to');
  }
  const [from, to] = range;
  return {
    action: single(query, 'filter[action]'),
    actorId: single(query, 'filter[actor_id]'),
    targetType: single(query, 'filter[source_type]'),
    targetId: single(query, 'filter[source_id]'),
    from: from === undefined ? undefined : time(from, 'filter[created_at]'),
    to: to === undefined ? undefined : time(to, 'filter[created_at]'),
    cursor: single(query, 'page[after]'),
    limit: size === undefined ? undefined : Number(size),
  };
}

/** The `links.next` URL: the same filters, the next cursor. */
export function nextLink(url: string, query: unknown, cursor: string): string {
  const params = new URLSearchParams();
  if (typeof query === 'object' && query !== null) {
    for (const [name, value] of Object.entries(query)) {
      if (name === 'page[after]') continue;
      for (const item of Array.isArray(value) ? value : [value]) {
        if (typeof item === 'string') params.append(name, item);
      }
    }
  }
  params.set('page[after]', cursor);
  return `${url}?${params.toString()}`;
}
