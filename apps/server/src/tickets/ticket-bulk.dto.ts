import {
  MAX_BULK_TICKETS,
  type BulkUpdate,
  type MergeInput,
  type TicketInput,
} from '@steward/tickets';
import { ErrorCode, StewardError } from '@steward/platform';
import {
  flag,
  idsQuery,
  invalidField,
  isObject,
  own,
  recordIdValue,
  text,
  type JsonObject,
} from '../http/request-body';
import { ticketInput } from './ticket.dto';

/** The list of a bulk body (`{"tickets": [...]}`), 1 to 100 objects. */
function items(body: unknown, key: string): JsonObject[] {
  const list = isObject(body) ? own(body, key) : undefined;
  if (!Array.isArray(list)) throw invalidField(key, `is required: send {"${key}": [...]}`);
  if (list.length === 0) throw invalidField(key, 'is empty: send at least one ticket');
  if (list.length > MAX_BULK_TICKETS) {
    throw invalidField(key, `at most ${MAX_BULK_TICKETS} tickets at a time`);
  }
  return list.map((item, index) => {
    if (!isObject(item)) throw invalidField(`${key}[${index}]`, 'must be a ticket object');
    return item;
  });
}

/** Parses one item; a problem is reported under the item's index: `tickets[3].priority`. */
function atIndex<T>(key: string, index: number, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof StewardError && error.code === ErrorCode.Invalid && error.details) {
      throw new StewardError(
        error.code,
        error.message,
        Object.fromEntries(
          Object.entries(error.details).map(([field, problems]) => [
            `${key}[${index}].${field}`,
            problems,
          ]),
        ),
      );
    }
    throw error;
  }
}

/** `{"tickets": [{...}, ...]}` of create_many: each item's shape is checked now. */
export function createManyInput(body: unknown): TicketInput[] {
  return items(body, 'tickets').map((item, index) =>
    atIndex('tickets', index, () => ticketInput({ ticket: item }, true)),
  );
}

/**
 * update_many in either of Zendesk's forms: `?ids=1,2,3` with one `{"ticket": {...}}` for all,
 * or `{"tickets": [{"id": 1, ...}, ...]}` with a change per ticket.
 */
export function updateManyInput(query: unknown, body: unknown): BulkUpdate[] {
  if (isObject(query) && own(query, 'ids') !== undefined) {
    const ids = idsQuery(query);
    const input = ticketInput(body, false);
    return ids.map((id) => ({ id, input }));
  }
  const updates = items(body, 'tickets').map((item, index) =>
    atIndex('tickets', index, () => ({
      id: recordIdValue('id', own(item, 'id')),
      input: ticketInput({ ticket: item }, false),
    })),
  );
  if (new Set(updates.map((update) => update.id)).size !== updates.length) {
    throw invalidField('tickets', 'names a ticket twice');
  }
  return updates;
}

/** `{"ids": [...], "target_comment": …, "source_comment": …, …}` of a merge. */
export function mergeInput(body: unknown): MergeInput {
  if (!isObject(body)) throw invalidField('ids', 'is required: send {"ids": [1, 2]}');
  const ids = own(body, 'ids');
  if (!Array.isArray(ids)) throw invalidField('ids', 'must be a list of ticket ids');
  const comment = (field: string) => {
    const value = text(body, field);
    if (value === null || value === undefined) return undefined;
    if (value.trim() === '') throw invalidField(field, 'cannot be blank');
    return value;
  };
  return {
    sourceIds: ids.map((id) => recordIdValue('ids', id)),
    targetComment: comment('target_comment'),
    sourceComment: comment('source_comment'),
    targetCommentIsPublic: flag(body, 'target_comment_is_public'),
    sourceCommentIsPublic: flag(body, 'source_comment_is_public'),
  };
}
