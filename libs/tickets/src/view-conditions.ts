import {
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_TYPES,
  type TicketPriority,
  type TicketStatus,
} from './ticket.entity';
import { TicketError } from './ticket.errors';
import { TICKET_SORTS, type TicketSort } from './ticket.repository';

/** One condition of a view, as Zendesk writes it: `{"field", "operator", "value"}`. */
export interface ViewCondition {
  readonly field: string;
  readonly operator: string;
  readonly value: string | number | null;
}

/** Zendesk's conditions: every one of `all`, and at least one of `any` when there are any. */
export interface ViewConditions {
  readonly all: readonly ViewCondition[];
  readonly any: readonly ViewCondition[];
}

/** The columns a view may show, with Zendesk's column ids and titles. */
export const VIEW_COLUMNS = {
  subject: 'Subject',
  status: 'Status',
  priority: 'Priority',
  type: 'Type',
  requester: 'Requester',
  assignee: 'Assignee',
  group: 'Group',
  organization: 'Organization',
  created: 'Requested',
  updated: 'Updated',
} as const;
export type ViewColumn = keyof typeof VIEW_COLUMNS;

/** How a view shows its tickets: Zendesk's `execution`. */
export interface ViewExecution {
  readonly columns: readonly ViewColumn[];
  readonly sortBy: TicketSort;
  readonly sortOrder: 'asc' | 'desc';
  /** Shown first, before `sortBy`: Zendesk's grouping, as an order. */
  readonly groupBy: TicketSort | null;
  readonly groupOrder: 'asc' | 'desc';
}

/** Who runs the view: what `current_user` and `current_groups` mean, and when "now" is. */
export interface ViewContext {
  readonly userId: number;
  readonly groupIds: readonly number[];
  readonly now: Date;
}

/** A condition as SQL over `tickets t`: a WHERE fragment and its named parameters. */
export interface ViewFilter {
  readonly where: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** The fields the conditions test (a count of status, group and assignee alone is cheap). */
  readonly fields: readonly string[];
  /**
   * The statuses a matching ticket can have, when the conditions that must all hold narrow
   * them: a page can then be read status by status, each in index order.
   */
  readonly statuses?: readonly TicketStatus[];
}

/** Enough for any real desk's view; a bound on the SQL a caller can make us build. */
export const MAX_CONDITIONS = 50;
const MAX_HOURS = 24 * 366 * 10;
const MAX_TAGS_PER_CONDITION = 20;

type FieldKind =
  'status' | 'priority' | 'type' | 'group' | 'user' | 'organization' | 'tags' | 'time';

/** The fields a condition may test, their kind, and their column on `tickets t`. */
const FIELDS: Readonly<Record<string, { kind: FieldKind; column: string; nullable: boolean }>> = {
  status: { kind: 'status', column: 't.status', nullable: false },
  priority: { kind: 'priority', column: 't.priority', nullable: true },
  type: { kind: 'type', column: 't.type', nullable: true },
  group_id: { kind: 'group', column: 't.group_id', nullable: true },
  assignee_id: { kind: 'user', column: 't.assignee_id', nullable: true },
  requester_id: { kind: 'user', column: 't.requester_id', nullable: false },
  organization_id: { kind: 'organization', column: 't.organization_id', nullable: true },
  current_tags: { kind: 'tags', column: 't.id', nullable: false },
  tags: { kind: 'tags', column: 't.id', nullable: false },
  created_at: { kind: 'time', column: 't.created_at', nullable: false },
  updated_at: { kind: 'time', column: 't.updated_at', nullable: false },
};

/** The fields a condition may test, for the API's description. */
export const VIEW_CONDITION_FIELDS = Object.keys(FIELDS);

const OPERATORS: Readonly<Record<FieldKind, readonly string[]>> = {
  status: ['is', 'is_not', 'less_than', 'greater_than'],
  priority: ['is', 'is_not', 'less_than', 'greater_than'],
  type: ['is', 'is_not'],
  group: ['is', 'is_not'],
  user: ['is', 'is_not'],
  organization: ['is', 'is_not'],
  tags: ['includes', 'not_includes'],
  time: ['less_than', 'greater_than'],
};

function invalid(field: string, problem: string): TicketError {
  return TicketError.invalid(field, problem);
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(object: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** A record id sent as a number or a string of digits (Zendesk sends both). */
function recordId(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^[1-9]\d{0,14}$/.test(value)) return Number(value);
  return undefined;
}

/** Checks one condition's field, operator and value; the value comes back normalised. */
function checkCondition(raw: unknown, where: string): ViewCondition {
  if (!isObject(raw)) throw invalid(where, 'each condition must be {"field", "operator", "value"}');
  const field = own(raw, 'field');
  const operator = own(raw, 'operator');
  const value = own(raw, 'value');
  if (typeof field !== 'string') throw invalid(where, 'a condition needs a field');
  if (customFieldId(field) !== undefined) {
    return {
      field,
      operator: checkCustomOperator(field, operator, where),
      value: customValue(field, value, where),
    };
  }
  if (!Object.hasOwn(FIELDS, field)) {
    throw invalid(
      where,
      `${field} is not a field views can test: ${Object.keys(FIELDS).join(', ')}`,
    );
  }
  const { kind } = FIELDS[field];
  if (typeof operator !== 'string' || !OPERATORS[kind].includes(operator)) {
    throw invalid(where, `${field} takes the operators ${OPERATORS[kind].join(', ')}`);
  }
  return { field, operator, value: checkValue(kind, field, operator, value, where) };
}

function checkValue(
  kind: FieldKind,
  field: string,
  operator: string,
  value: unknown,
  where: string,
): string | number | null {
  const bad = (expected: string) => invalid(where, `${field}: the value must be ${expected}`);
  switch (kind) {
    case 'status':
    case 'priority':
    case 'type': {
      const allowed: readonly string[] =
        kind === 'status'
          ? TICKET_STATUSES
          : kind === 'priority'
            ? TICKET_PRIORITIES
            : TICKET_TYPES;
      if (value === null && kind !== 'status' && (operator === 'is' || operator === 'is_not')) {
        return null;
      }
      if (typeof value === 'string' && allowed.includes(value)) return value;
      throw bad(`one of ${allowed.join(', ')}`);
    }
    case 'group':
    case 'user':
    case 'organization': {
      const special = kind === 'group' ? 'current_groups' : kind === 'user' ? 'current_user' : '';
      if (special !== '' && value === special) return special;
      if (value === null && FIELDS[field].nullable) return null;
      const id = recordId(value);
      if (id !== undefined) return id;
      throw bad(special === '' ? 'an id or null' : `an id, ${special} or null`);
    }
    case 'tags': {
      if (typeof value !== 'string') throw bad('tags separated by spaces');
      const tags = tagsOf(value);
      if (tags.length === 0 || tags.length > MAX_TAGS_PER_CONDITION) {
        throw bad(`1 to ${MAX_TAGS_PER_CONDITION} tags separated by spaces`);
      }
      if (tags.some((tag) => !/^[\p{L}\p{N}_\-/:.]{1,80}$/u.test(tag))) {
        throw bad('tags of letters, digits and _-/:.');
      }
      return tags.join(' ');
    }
    case 'time': {
      const hours = typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;
      if (
        typeof hours === 'number' &&
        Number.isSafeInteger(hours) &&
        hours > 0 &&
        hours <= MAX_HOURS
      ) {
        return hours;
      }
      throw bad(`a number of hours from 1 to ${MAX_HOURS}`);
    }
  }
}

/** `custom_fields_<id>`: a condition on a custom ticket field's value. */
function customFieldId(field: string): number | undefined {
  const match = /^custom_fields_([1-9]\d{0,14})$/.exec(field);
  return match ? Number(match[1]) : undefined;
}

function checkCustomOperator(field: string, operator: unknown, where: string): string {
  if (operator === 'is' || operator === 'is_not') return operator;
  throw invalid(where, `${field} takes the operators is, is_not`);
}

/**
 * A custom field's value as the field stores it: text, a drop-down's option value, a number;
 * a checkbox's `true`, where `false` (unchecked) is no value, like null.
 */
function customValue(field: string, value: unknown, where: string): string | null {
  if (value === null || value === false) return null;
  if (value === true) return 'true';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '' && [...value].length <= 255) {
    return value.trim();
  }
  throw invalid(
    where,
    `${field}: the value must be text (at most 255 characters), a number, true, false or null`,
  );
}

/** Tags as tickets store them: lower case, split on spaces. */
function tagsOf(value: string): string[] {
  return [
    ...new Set(
      value
        .toLowerCase()
        .split(/\s+/)
        .filter((tag) => tag !== ''),
    ),
  ];
}

/**
 * Checks a client's `conditions` and returns them normalised. A view needs at least one
 * condition; fields, operators and values are checked against what `compileConditions` knows,
 * so a stored view always compiles.
 */
export function checkConditions(raw: unknown): ViewConditions {
  if (!isObject(raw)) throw invalid('conditions', 'must be {"all": [...], "any": [...]}');
  const lists: Record<'all' | 'any', ViewCondition[]> = { all: [], any: [] };
  for (const key of ['all', 'any'] as const) {
    const list = own(raw, key);
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw invalid('conditions', `${key} must be a list of conditions`);
    lists[key] = list.map((item) => checkCondition(item, 'conditions'));
  }
  const count = lists.all.length + lists.any.length;
  if (count === 0) throw invalid('conditions', 'needs at least one condition');
  if (count > MAX_CONDITIONS) throw invalid('conditions', `at most ${MAX_CONDITIONS} conditions`);
  return lists;
}

/** Checks a client's `execution` (columns, sort and group order), filling in Zendesk's defaults. */
export function checkExecution(raw: unknown): ViewExecution {
  const object = raw === undefined || raw === null ? {} : raw;
  if (!isObject(object)) throw invalid('execution', 'must be {"columns": [...], "sort_by": …}');
  const columns = own(object, 'columns') ?? ['subject', 'requester', 'updated'];
  if (
    !Array.isArray(columns) ||
    columns.length === 0 ||
    columns.some((column) => typeof column !== 'string' || !Object.hasOwn(VIEW_COLUMNS, column))
  ) {
    throw invalid('execution', `columns must be a list of ${Object.keys(VIEW_COLUMNS).join(', ')}`);
  }
  const sortBy = checkSort(own(object, 'sort_by') ?? 'updated_at', 'sort_by');
  const groupBy = own(object, 'group_by') ?? null;
  return {
    columns: [...new Set(columns as ViewColumn[])],
    sortBy,
    sortOrder: checkOrder(own(object, 'sort_order') ?? 'desc', 'sort_order'),
    groupBy: groupBy === null ? null : checkSort(groupBy, 'group_by'),
    groupOrder: checkOrder(own(object, 'group_order') ?? 'asc', 'group_order'),
  };
}

function checkSort(value: unknown, key: string): TicketSort {
  if (typeof value === 'string' && Object.hasOwn(TICKET_SORTS, value)) return value as TicketSort;
  throw invalid('execution', `${key} must be one of ${Object.keys(TICKET_SORTS).join(', ')}`);
}

function checkOrder(value: unknown, key: string): 'asc' | 'desc' {
  if (value === 'asc' || value === 'desc') return value;
  throw invalid('execution', `${key} must be asc or desc`);
}

/** The values of an ordered field before (`less_than`) or after (`greater_than`) a value. */
function ordered<T extends string>(all: readonly T[], value: T, operator: string): T[] {
  const at = all.indexOf(value);
  return operator === 'less_than' ? all.slice(0, at) : all.slice(at + 1);
}

/**
 * Compiles checked conditions into a WHERE fragment over `tickets t`, with every value a named
 * parameter (`vc0`, `vc1`, …) — never text of the client's in the SQL. The caller adds the
 * `TicketScope`. Equality on status, group and assignee keeps the tickets' indexes usable.
 */
export function compileConditions(conditions: ViewConditions, context: ViewContext): ViewFilter {
  const params: Record<string, unknown> = {};
  let next = 0;
  const param = (value: unknown): string => {
    const name = `vc${next++}`;
    params[name] = value;
    return name;
  };
  const compile = (condition: ViewCondition): string => compileOne(condition, context, param);
  const parts = conditions.all.map(compile);
  if (conditions.any.length > 0) parts.push(`(${conditions.any.map(compile).join(' OR ')})`);
  const fields = [...new Set([...conditions.all, ...conditions.any].map((c) => c.field))];
  const where = parts.length === 0 ? '1 = 1' : parts.join(' AND ');
  const narrowing = conditions.all.filter((c) => c.field === 'status');
  if (narrowing.length === 0) return { where, params, fields };
  const statuses = TICKET_STATUSES.filter((status) =>
    narrowing.every((condition) => statusMatches(condition, status)),
  );
  return { where, params, fields, statuses };
}

/** Whether a ticket of this status meets a status condition (as compileOne words it in SQL). */
function statusMatches(condition: ViewCondition, status: TicketStatus): boolean {
  const value = condition.value as TicketStatus;
  switch (condition.operator) {
    case 'less_than':
    case 'greater_than':
      return ordered(TICKET_STATUSES, value, condition.operator).includes(status);
    case 'is_not':
      return status !== value;
    default:
      return status === value;
  }
}

function compileOne(
  condition: ViewCondition,
  context: ViewContext,
  param: (value: unknown) => string,
): string {
  const fieldId = customFieldId(condition.field);
  if (fieldId !== undefined) {
    const negate = condition.operator === 'is_not';
    const has = `SELECT 1 FROM ticket_field_values fv WHERE fv.ticket_id = t.id AND fv.field_id = :${param(fieldId)}`;
    if (condition.value === null) return `${negate ? '' : 'NOT '}EXISTS (${has})`;
    const exists = `EXISTS (${has} AND fv.value = :${param(String(condition.value))})`;
    return negate ? `NOT ${exists}` : exists;
  }
  const { kind, column, nullable } = FIELDS[condition.field];
  const { operator, value } = condition;
  const negate = operator === 'is_not' || operator === 'not_includes';
  switch (kind) {
    case 'status':
    case 'priority': {
      if (operator === 'less_than' || operator === 'greater_than') {
        const values =
          kind === 'status'
            ? ordered(TICKET_STATUSES, value as TicketStatus, operator)
            : ordered(TICKET_PRIORITIES, value as TicketPriority, operator);
        return values.length === 0 ? '1 = 0' : `${column} IN (:...${param(values)})`;
      }
      return equality(column, nullable, value, negate, param);
    }
    case 'type':
    case 'organization':
      return equality(column, nullable, value, negate, param);
    case 'user':
      return equality(
        column,
        nullable,
        value === 'current_user' ? context.userId : value,
        negate,
        param,
      );
    case 'group': {
      if (value !== 'current_groups') return equality(column, nullable, value, negate, param);
      if (context.groupIds.length === 0) return negate ? '1 = 1' : '1 = 0';
      const list = `:...${param([...context.groupIds])}`;
      return negate
        ? `(${column} IS NULL OR ${column} NOT IN (${list}))`
        : `${column} IN (${list})`;
    }
    case 'tags': {
      const exists = `EXISTS (SELECT 1 FROM ticket_tags vt WHERE vt.ticket_id = t.id AND vt.tag IN (:...${param(tagsOf(String(value)))}))`;
      return negate ? `NOT ${exists}` : exists;
    }
    case 'time': {
      // "less than N hours" since the time: after now − N hours; "greater than": before it.
      const boundary = new Date(context.now.getTime() - Number(value) * 3_600_000);
      return `${column} ${operator === 'less_than' ? '>' : '<'} :${param(boundary)}`;
    }
  }
}

/** `is` / `is_not` a value or null; `is_not` keeps the rows where the column is null. */
function equality(
  column: string,
  nullable: boolean,
  value: unknown,
  negate: boolean,
  param: (value: unknown) => string,
): string {
  if (value === null) return `${column} IS ${negate ? 'NOT ' : ''}NULL`;
  if (!negate) return `${column} = :${param(value)}`;
  const different = `${column} <> :${param(value)}`;
  return nullable ? `(${column} IS NULL OR ${different})` : different;
}
