import type { AuditActor, UserEntity } from '@steward/identity';
import { RECORD_INVALID } from '@steward/identity';
import { ErrorCode, StewardError } from '@steward/platform';

/** Zendesk's largest page. */
export const MAX_PER_PAGE = 100;
const MAX_PAGE = 1_000_000;

/** A plain JSON object (not an array, not null). */
type JsonObject = Readonly<Record<string, unknown>>;

function invalid(field: string, problem: string): StewardError {
  return new StewardError(ErrorCode.Invalid, RECORD_INVALID, { [field]: [problem] });
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field the client sent, read only from the object's own properties (never `__proto__`'s). */
function own(object: JsonObject, field: string): unknown {
  return Object.hasOwn(object, field) ? object[field] : undefined;
}

/** The object inside Zendesk's envelope: `{"group": {...}}` → `{...}`. */
export function envelope(body: unknown, key: string): JsonObject {
  const inner = isObject(body) ? own(body, key) : undefined;
  if (!isObject(inner)) throw invalid(key, `is required: send {"${key}": {...}}`);
  return inner;
}

/** A string field: undefined when absent, null when sent as null. */
export function text(object: JsonObject, field: string): string | null | undefined {
  const value = own(object, field);
  if (value === undefined || value === null || typeof value === 'string') return value;
  throw invalid(field, 'must be a string');
}

/** Like `text`, for a field that cannot be null. */
export function requiredText(object: JsonObject, field: string): string | undefined {
  const value = text(object, field);
  if (value === null) throw invalid(field, 'cannot be blank');
  return value;
}

export function flag(object: JsonObject, field: string): boolean | undefined {
  const value = own(object, field);
  if (value === undefined || typeof value === 'boolean') return value;
  throw invalid(field, 'must be true or false');
}

export function recordIdField(object: JsonObject, field: string): number {
  const value = own(object, field);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^[1-9]\d{0,14}$/.test(value)) return Number(value);
  throw invalid(field, 'must be the id of a record');
}

export function textList(object: JsonObject, field: string): string[] | undefined {
  const value = own(object, field);
  if (value === undefined) return undefined;
  if (value === null) return [];
  if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) {
    return value;
  }
  throw invalid(field, 'must be a list of strings');
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
    throw invalid(field, 'must be a positive whole number');
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
