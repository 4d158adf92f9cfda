import type { AuditActor, UserEntity } from '@steward/identity';
import { RECORD_INVALID } from '@steward/identity';
import { HttpException, HttpStatus } from '@nestjs/common';
import { ErrorCode, StewardError } from '@steward/platform';

/** Zendesk's largest page. */
export const MAX_PER_PAGE = 100;
const MAX_PAGE = 1_000_000;

/** A plain JSON object (not an array, not null). */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Zendesk's 422 for one field: `{"error": "RecordInvalid", "details": {field: [problem]}}`. */
export function invalidField(field: string, problem: string): StewardError {
  return new StewardError(ErrorCode.Invalid, RECORD_INVALID, { [field]: [problem] });
}

/**
 * Zendesk's 400 (InvalidRequest) for a bad query parameter: a cursor, a page size, a start
 * time. These are not a record's fields, so not a 422.
 */
export function badParameter(description: string): HttpException {
  return new HttpException(description, HttpStatus.BAD_REQUEST);
}

/** A single query parameter; one given more than once is refused. */
export function queryParameter(query: unknown, name: string): string | undefined {
  const value = isObject(query) ? own(query, name) : undefined;
  if (value === undefined || typeof value === 'string') return value;
  throw badParameter(`${name} must be given once`);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field the client sent, read only from the object's own properties (never `__proto__`'s). */
export function own(object: JsonObject, field: string): unknown {
  return Object.hasOwn(object, field) ? object[field] : undefined;
}

/** The object inside Zendesk's envelope: `{"group": {...}}` → `{...}`. */
export function envelope(body: unknown, key: string): JsonObject {
  const inner = isObject(body) ? own(body, key) : undefined;
  if (!isObject(inner)) throw invalidField(key, `is required: send {"${key}": {...}}`);
  return inner;
}

/** A string field: undefined when absent, null when sent as null. */
export function text(object: JsonObject, field: string): string | null | undefined {
  const value = own(object, field);
  if (value === undefined || value === null || typeof value === 'string') return value;
  throw invalidField(field, 'must be a string');
}

/** Like `text`, for a field that cannot be null. */
export function requiredText(object: JsonObject, field: string): string | undefined {
  const value = text(object, field);
  if (value === null) throw invalidField(field, 'cannot be blank');
  return value;
}

export function flag(object: JsonObject, field: string): boolean | undefined {
  const value = own(object, field);
  if (value === undefined || typeof value === 'boolean') return value;
  throw invalidField(field, 'must be true or false');
}

/** A record id as JSON sends it: a positive whole number, or one written as a string. */
export function recordIdValue(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^[1-9]\d{0,14}$/.test(value)) return Number(value);
  throw invalidField(field, 'must be the id of a record');
}

export function recordIdField(object: JsonObject, field: string): number {
  return recordIdValue(field, own(object, field));
}

/** `?ids=1,2,3` of the `show_many`/`count_many` routes: up to 100 ids, each once. */
export function idsQuery(query: unknown): number[] {
  const raw = isObject(query) ? own(query, 'ids') : undefined;
  if (typeof raw !== 'string' || raw.trim() === '')
    throw invalidField('ids', 'is required: ?ids=1,2,3');
  const ids = raw.split(',').map((part) => recordIdValue('ids', part.trim()));
  if (ids.length > 100) throw invalidField('ids', 'at most 100 ids');
  return [...new Set(ids)];
}

export function textList(object: JsonObject, field: string): string[] | undefined {
  const value = own(object, field);
  if (value === undefined) return undefined;
  if (value === null) return [];
  if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) {
    return value;
  }
  throw invalidField(field, 'must be a list of strings');
}

/** The id in a path; anything but a positive integer names no record (404). */
export function recordId(raw: string): number {
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw new StewardError(ErrorCode.NotFound, 'Not found');
  return Number(raw);
}

/** The audit actor of a request. */
export function actorOf(user: Readonly<UserEntity>): AuditActor {
  return { actorType: 'user', actorId: user.id };
}

/** Zendesk's offset pagination: `page` from 1, `per_page` 1 to 100 (larger is cut to 100). */
export interface PageRequest {
  readonly page: number;
  readonly perPage: number;
  readonly offset: number;
}

function queryNumber(query: JsonObject, field: string, fallback: number, max: number): number {
  const value = own(query, field);
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value) || Number(value) < 1) {
    throw invalidField(field, 'must be a positive whole number');
  }
  return Math.min(Number(value), max);
}

export function pageRequest(query: unknown): PageRequest {
  const object = isObject(query) ? query : {};
  const page = queryNumber(object, 'page', 1, MAX_PAGE);
  const perPage = queryNumber(object, 'per_page', MAX_PER_PAGE, MAX_PER_PAGE);
  return { page, perPage, offset: (page - 1) * perPage };
}

/** `next_page`, `previous_page` (full URLs or null) and `count`, as Zendesk lists end. */
export interface PageLinks {
  next_page: string | null;
  previous_page: string | null;
  count: number;
}

/** `extra` is more of the query string, e.g. `&query=abc` (already encoded). */
export function pageLinks(url: string, request: PageRequest, count: number, extra = ''): PageLinks {
  const link = (page: number) => `${url}?page=${page}&per_page=${request.perPage}${extra}`;
  const last = Math.max(1, Math.ceil(count / request.perPage));
  return {
    next_page: request.page < last ? link(request.page + 1) : null,
    previous_page: request.page > 1 ? link(Math.min(request.page - 1, last)) : null,
    count,
  };
}

/** Zendesk's `sort_by` and `sort_order` of a list. */
export interface SortRequest<S extends string> {
  readonly sortBy: S;
  readonly descending: boolean;
}

/** `sort_by` (one of `sorts`' keys) and `sort_order` (`asc` or `desc`), with the list's defaults. */
export function sortQuery<S extends string>(
  query: unknown,
  sorts: Readonly<Record<S, unknown>>,
  defaults: SortRequest<S>,
): SortRequest<S> {
  const object = isObject(query) ? query : {};
  const sortBy = own(object, 'sort_by') ?? defaults.sortBy;
  const order = own(object, 'sort_order') ?? (defaults.descending ? 'desc' : 'asc');
  if (typeof sortBy !== 'string' || !Object.hasOwn(sorts, sortBy)) {
    throw invalidField('sort_by', `must be one of ${Object.keys(sorts).join(', ')}`);
  }
  if (order !== 'asc' && order !== 'desc') throw invalidField('sort_order', 'must be asc or desc');
  return { sortBy: sortBy as S, descending: order === 'desc' };
}

/** The query string that repeats a sort in page links; nothing for the list's default. */
export function sortLink<S extends string>(sort: SortRequest<S>, defaults: SortRequest<S>): string {
  return sort.sortBy === defaults.sortBy && sort.descending === defaults.descending
    ? ''
    : `&sort_by=${sort.sortBy}&sort_order=${sort.descending ? 'desc' : 'asc'}`;
}
