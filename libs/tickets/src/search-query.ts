import { CONTROL_CHARACTERS, ErrorCode, StewardError } from '@steward/platform';
import { TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from './ticket.entity';

/** Longest query accepted, in characters; longer ones are refused before parsing. */
export const MAX_SEARCH_QUERY_LENGTH = 1000;
/** Most clauses (words, phrases, filters) in one query. */
export const MAX_SEARCH_CLAUSES = 32;

export type SearchComparison = ':' | '<' | '>' | '<=' | '>=';

/** Free text: a word, or a quoted phrase whose words must follow each other. */
export interface SearchText {
  readonly kind: 'text';
  readonly value: string;
  readonly phrase: boolean;
  readonly negated: boolean;
}

/**
 * A ticket property filter (`status>open`, `-tags:vpn`). Values are checked for their form
 * here; names (emails, group names, `me`) are resolved by the search service.
 */
export interface SearchFilter {
  readonly kind: 'filter';
  readonly field: TicketSearchField;
  readonly comparison: SearchComparison;
  readonly value: string;
  readonly negated: boolean;
  /** For date fields: the instants the value covers, `[from, to)`: a day, or one millisecond. */
  readonly range?: { readonly from: Date; readonly to: Date };
}

export interface SearchQuery {
  /** `type:ticket` or `type:user`; absent: both kinds of result. */
  readonly resultType?: 'ticket' | 'user';
  readonly text: readonly SearchText[];
  readonly filters: readonly SearchFilter[];
}

/** The ticket properties a query may filter on, in Zendesk's names. */
export const TICKET_SEARCH_FIELDS = [
  'status',
  'priority',
  'ticket_type',
  'assignee',
  'requester',
  'submitter',
  'group',
  'organization',
  'tags',
  'subject',
  'created',
  'updated',
  'solved',
] as const;
export type TicketSearchField = (typeof TICKET_SEARCH_FIELDS)[number];

/** Other spellings Zendesk accepts for the same property. */
const ALIASES: Readonly<Record<string, TicketSearchField>> = {
  tag: 'tags',
  created_at: 'created',
  updated_at: 'updated',
  solved_at: 'solved',
};

const ORDERED: ReadonlySet<TicketSearchField> = new Set([
  'status',
  'priority',
  'created',
  'updated',
  'solved',
]);

/** `field`, then the comparison, then the value (possibly quoted); the name is ASCII only. */
const FILTER = /^([A-Za-z_]+)(>=|<=|:|<|>)/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const RELATIVE = /^(\d{1,6})(minutes?|hours?|days?|weeks?|months?|years?)$/;
const MS: Readonly<Record<string, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
};

/** A query the parser refuses: a 422 whose details say what to change. */
export function invalidQuery(problem: string): StewardError {
  return new StewardError(ErrorCode.Invalid, 'Invalid search query', { query: [problem] });
}

/**
 * Parses Zendesk's search syntax: words and `"quoted phrases"` (all must match), `-` before
 * any clause to exclude, `field:value` and `field<value` (`>`, `<=`, `>=`) filters with plain
 * or quoted values, and `type:ticket|user`. Pure: `now` anchors relative dates
 * (`created>2days` is "created in the last two days"). Refuses anything else with the 422 of
 * `invalidQuery` and never throws another error, whatever the input.
 */
export function parseSearchQuery(input: unknown, now: Date): SearchQuery {
  if (typeof input !== 'string') throw invalidQuery('is required: send ?query=…');
  if (input.length > MAX_SEARCH_QUERY_LENGTH) {
    throw invalidQuery(`must be at most ${MAX_SEARCH_QUERY_LENGTH} characters`);
  }
  if (CONTROL_CHARACTERS.test(input)) throw invalidQuery('contains control characters');
  if (/\p{Cs}/u.test(input)) throw invalidQuery('is not valid Unicode text');
  const text: SearchText[] = [];
  const filters: SearchFilter[] = [];
  let resultType: 'ticket' | 'user' | undefined;
  let clauses = 0;
  let at = 0;
  const length = input.length;
  while (at < length) {
    if (/\s/.test(input[at])) {
      at += 1;
      continue;
    }
    clauses += 1;
    if (clauses > MAX_SEARCH_CLAUSES) {
      throw invalidQuery(`may have at most ${MAX_SEARCH_CLAUSES} words, phrases and filters`);
    }
    let negated = false;
    if (input[at] === '-' && at + 1 < length && !/\s/.test(input[at + 1])) {
      negated = true;
      at += 1;
    }
    if (input[at] === '"') {
      const [value, next] = quoted(input, at);
      at = next;
      if (value.trim() !== '') text.push({ kind: 'text', value, phrase: true, negated });
      continue;
    }
    const filter = FILTER.exec(input.slice(at, at + 64));
    if (filter) {
      const name = filter[1].toLowerCase();
      const comparison = filter[2] as SearchComparison;
      at += filter[0].length;
      let value: string;
      if (input[at] === '"') [value, at] = quoted(input, at);
      else [value, at] = word(input, at);
      value = value.trim();
      if (value === '') throw invalidQuery(`${name}${comparison} needs a value`);
      if (name === 'type') {
        if (comparison !== ':' || negated)
          throw invalidQuery('type takes type:ticket or type:user');
        const kind = value.toLowerCase();
        if (kind !== 'ticket' && kind !== 'user') {
          throw invalidQuery(`type:${value} is not searchable: use type:ticket or type:user`);
        }
        if (resultType !== undefined && resultType !== kind) {
          throw invalidQuery('type may be given once');
        }
        resultType = kind;
        continue;
      }
      filters.push(checkFilter(fieldOf(name), comparison, value, negated, now));
      continue;
    }
    const [value, next] = word(input, at);
    at = next;
    text.push({ kind: 'text', value, phrase: false, negated });
  }
  if (resultType === 'user' && filters.length > 0) {
    throw invalidQuery('users are searched by text only; ticket filters need type:ticket');
  }
  return { resultType, text, filters };
}

function fieldOf(name: string): TicketSearchField {
  if ((TICKET_SEARCH_FIELDS as readonly string[]).includes(name)) return name as TicketSearchField;
  const alias = Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined;
  if (alias) return alias;
  throw invalidQuery(
    `${name} is not a searchable field; use one of type, ${TICKET_SEARCH_FIELDS.join(', ')} ` +
      '(put text with a colon in quotes)',
  );
}

function checkFilter(
  field: TicketSearchField,
  comparison: SearchComparison,
  value: string,
  negated: boolean,
  now: Date,
): SearchFilter {
  if (comparison !== ':' && !ORDERED.has(field)) {
    throw invalidQuery(`${field} takes ${field}:value only`);
  }
  const filter = { kind: 'filter', field, comparison, value, negated } as const;
  switch (field) {
    case 'status':
      return { ...filter, value: oneOf(field, TICKET_STATUSES, value) };
    case 'priority':
      return { ...filter, value: oneOf(field, noneOr(comparison, TICKET_PRIORITIES), value) };
    case 'ticket_type':
      return { ...filter, value: oneOf(field, noneOr(comparison, TICKET_TYPES), value) };
    case 'created':
    case 'updated':
    case 'solved':
      return { ...filter, range: dateRange(field, value, now) };
    case 'assignee':
    case 'requester':
    case 'submitter':
    case 'group':
    case 'organization':
    case 'tags':
    case 'subject':
      return filter;
  }
}

/** `priority:none` and `ticket_type:none` find tickets without one; `none` has no order. */
function noneOr(comparison: SearchComparison, values: readonly string[]): readonly string[] {
  return comparison === ':' ? [...values, 'none'] : values;
}

function oneOf(field: string, allowed: readonly string[], value: string): string {
  const lower = value.toLowerCase();
  if (!allowed.includes(lower)) throw invalidQuery(`${field} must be one of ${allowed.join(', ')}`);
  return lower;
}

/** A day (`2026-01-31`, UTC), an instant (ISO 8601 with zone) or a time ago (`4hours`). */
function dateRange(field: string, value: string, now: Date): { from: Date; to: Date } {
  const day = DAY.exec(value);
  if (day) {
    const from = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
    if (Number.isNaN(from.getTime()) || from.toISOString().slice(0, 10) !== value) {
      throw invalidQuery(`${field} has no such day: ${value}`);
    }
    return { from, to: new Date(from.getTime() + MS.day) };
  }
  if (INSTANT.test(value)) {
    const instant = new Date(value);
    if (!Number.isNaN(instant.getTime())) return moment(instant);
  }
  const relative = RELATIVE.exec(value.toLowerCase());
  if (relative) {
    const unit = relative[2].replace(/s$/, '');
    const instant = new Date(now.getTime() - Number(relative[1]) * MS[unit]);
    if (!Number.isNaN(instant.getTime())) return moment(instant);
  }
  throw invalidQuery(
    `${field} takes a date (2026-01-31), a time (2026-01-31T09:00:00Z) or a time ago (4hours)`,
  );
}

/** One instant as a range: the millisecond it names (times are stored to the millisecond). */
function moment(instant: Date): { from: Date; to: Date } {
  return { from: instant, to: new Date(instant.getTime() + 1) };
}

/** The text between the quote at `start` and the next one (or the end); and where it ended. */
function quoted(input: string, start: number): [string, number] {
  const end = input.indexOf('"', start + 1);
  if (end === -1) return [input.slice(start + 1), input.length];
  return [input.slice(start + 1, end), end + 1];
}

/** The run of non-space characters from `start`; and where it ended. */
function word(input: string, start: number): [string, number] {
  let end = start;
  while (end < input.length && !/\s/.test(input[end])) end += 1;
  return [input.slice(start, end), end];
}
