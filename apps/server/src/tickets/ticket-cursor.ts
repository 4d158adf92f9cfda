import { TICKET_SORTS, type TicketCursor, type TicketSort } from '@steward/tickets';
import { badParameter, MAX_PER_PAGE, queryParameter, type SortRequest } from '../http/request-body';

/** Zendesk's cursor pagination: `page[size]` with `page[after]` or `page[before]`. */
export interface CursorRequest {
  readonly size: number;
  readonly after?: TicketCursor;
  readonly before?: TicketCursor;
}

/** The end of a cursor-paginated list: `meta` and `links`, as Zendesk sends them. */
export interface CursorLinks {
  meta: { has_more: boolean; after_cursor: string | null; before_cursor: string | null };
  links: { next: string | null; prev: string | null };
}

const MAX_CURSOR_LENGTH = 200;
const DATE_SORTS: ReadonlySet<TicketSort> = new Set(['created_at', 'updated_at']);

/**
 * The cursor request of a list, or undefined when the caller asks for offset pages (no
 * `page[...]` parameter). A cursor holds the sort it was made for; used with another it is
 * refused rather than giving a wrong page.
 */
export function cursorRequest(
  query: unknown,
  sort: SortRequest<TicketSort>,
): CursorRequest | undefined {
  const size = queryParameter(query, 'page[size]');
  const after = queryParameter(query, 'page[after]');
  const before = queryParameter(query, 'page[before]');
  if (size === undefined && after === undefined && before === undefined) return undefined;
  if (after !== undefined && before !== undefined) {
    throw badParameter('page[after] and page[before] cannot be given together');
  }
  let pageSize = MAX_PER_PAGE;
  if (size !== undefined && size !== '') {
    if (!/^\d{1,9}$/.test(size) || Number(size) < 1) {
      throw badParameter('page[size] must be a positive whole number');
    }
    pageSize = Math.min(Number(size), MAX_PER_PAGE);
  }
  return {
    size: pageSize,
    after: after === undefined ? undefined : decodeCursor(after, sort.sortBy, 'page[after]'),
    before: before === undefined ? undefined : decodeCursor(before, sort.sortBy, 'page[before]'),
  };
}

/** A ticket's place as an opaque string: base64url of `[sort, value, id]`. */
export function encodeCursor(cursor: TicketCursor, sortBy: TicketSort): string {
  const value = cursor.value instanceof Date ? cursor.value.toISOString() : cursor.value;
  return Buffer.from(JSON.stringify([sortBy, value, cursor.id])).toString('base64url');
}

function decodeCursor(raw: string, sortBy: TicketSort, name: string): TicketCursor {
  const invalid = () => badParameter(`${name} is not a cursor of this list`);
  if (raw.length === 0 || raw.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(raw)) {
    throw invalid();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
  const [sort, value, id] = parsed as unknown[];
  if (sort !== sortBy || !Object.hasOwn(TICKET_SORTS, sortBy)) throw invalid();
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw invalid();
  if (sortBy === 'id') {
    if (value !== null) throw invalid();
    return { value: null, id };
  }
  if (DATE_SORTS.has(sortBy)) {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)) {
      throw invalid();
    }
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw invalid();
    return { value: date, id };
  }
  if (value === null && sortBy === 'priority') return { value: null, id };
  if (typeof value !== 'string' || !/^[a-z]{1,16}$/.test(value)) throw invalid();
  return { value, id };
}

/**
 * `meta` and `links` of a cursor page. `extra` is the rest of the query string (the sort),
 * already encoded.
 */
export function cursorLinks(
  url: string,
  request: CursorRequest,
  page: { hasMore: boolean; first?: TicketCursor; last?: TicketCursor },
  sortBy: TicketSort,
  extra: string,
): CursorLinks {
  const after = page.last && encodeCursor(page.last, sortBy);
  const before = page.first && encodeCursor(page.first, sortBy);
  const link = (name: string, cursor: string) =>
    `${url}?page%5Bsize%5D=${request.size}&page%5B${name}%5D=${cursor}${extra}`;
  const backward = request.before !== undefined;
  // Going forward there is a next page when more follow, and a previous one when we came from
  // somewhere; going backward, the other way round.
  const hasNext = backward ? request.before !== undefined : page.hasMore;
  const hasPrev = backward ? page.hasMore : request.after !== undefined;
  return {
    meta: { has_more: page.hasMore, after_cursor: after ?? null, before_cursor: before ?? null },
    links: {
      next: hasNext && after ? link('after', after) : null,
      prev: hasPrev && before ? link('before', before) : null,
    },
  };
}
