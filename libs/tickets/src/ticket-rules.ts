import { optionalLine, requiredLine } from '@steward/platform';
import {
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_TYPES,
  type TicketPriority,
  type TicketStatus,
  type TicketType,
} from './ticket.entity';
import { TicketError } from './ticket.errors';

export const MAX_SUBJECT_LENGTH = 255;
export const MAX_EXTERNAL_ID_LENGTH = 255;

/** The most tags a ticket may carry, and the longest tag. */
export const MAX_TAGS = 100;
export const MAX_TAG_LENGTH = 80;

const TAG = /^[\p{L}\p{N}_\-/:.]+$/u;

/**
 * Tags as Zendesk keeps them: lower case, no spaces (a space separates two tags), no
 * duplicates; order of first appearance.
 */
export function normaliseTags(input: readonly string[], field = 'tags'): string[] {
  const tags: string[] = [];
  for (const raw of input) {
    for (const part of raw.split(/[\s,]+/u)) {
      const tag = part.normalize('NFC').toLowerCase();
      if (tag === '') continue;
      if ([...tag].length > MAX_TAG_LENGTH || !TAG.test(tag)) {
        throw TicketError.invalid(
          field,
          `"${tag.slice(0, MAX_TAG_LENGTH)}" is not a valid tag: letters, digits and _ - / : . only, at most ${MAX_TAG_LENGTH} characters`,
        );
      }
      if (!tags.includes(tag)) tags.push(tag);
    }
  }
  if (tags.length > MAX_TAGS) throw TicketError.invalid(field, `at most ${MAX_TAGS} tags`);
  return tags;
}

/** What the status rules need to know about the ticket after the change. */
export interface StatusContext {
  readonly assigneeId: number | null;
}

/**
 * The status a ticket takes on creation or update, by Zendesk's rules: `new` only while nobody
 * is assigned (assigning a new ticket opens it); never back to `new`; `solved` needs an
 * assignee; `closed` only from `solved`; a closed ticket never changes again.
 */
export function nextStatus(
  current: TicketStatus | undefined,
  requested: TicketStatus | undefined,
  { assigneeId }: StatusContext,
): TicketStatus {
  if (current === 'closed') {
    throw TicketError.invalid('status', 'closed prevents ticket update');
  }
  const wanted = requested ?? current ?? 'new';
  if (wanted === 'new') {
    if (current !== undefined && current !== 'new') {
      throw TicketError.invalid('status', `cannot go back to new from ${current}`);
    }
    return assigneeId === null ? 'new' : 'open';
  }
  if (wanted === 'solved' && assigneeId === null) {
    throw TicketError.invalid('assignee_id', 'is required to solve a ticket');
  }
  if (wanted === 'closed' && current !== 'solved') {
    throw TicketError.invalid('status', 'only a solved ticket can be closed');
  }
  return wanted;
}

/** A subject made from the first line of a comment, at most 80 characters. */
export function firstLine(body: string): string {
  const line = body.split('\n', 1)[0].trim();
  return [...line].length > 80 ? `${[...line].slice(0, 79).join('')}…` : line;
}

export function checkSubject(raw: string): string {
  return requiredLine(raw, MAX_SUBJECT_LENGTH, (problem) =>
    TicketError.invalid('subject', problem),
  );
}

export function checkExternalId(raw: string | null | undefined): string | null | undefined {
  if (raw === undefined) return undefined;
  return optionalLine(raw, MAX_EXTERNAL_ID_LENGTH, (problem) =>
    TicketError.invalid('external_id', problem),
  );
}

function oneOf<T extends string>(
  field: string,
  allowed: readonly T[],
  raw: string | null | undefined,
): T | null | undefined {
  if (raw === undefined || raw === null) return raw;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw TicketError.invalid(field, `must be one of ${allowed.join(', ')}`);
}

export function checkStatus(raw: string | undefined): TicketStatus | undefined {
  return oneOf('status', TICKET_STATUSES, raw) ?? undefined;
}

export function checkPriority(raw: string | null | undefined): TicketPriority | null | undefined {
  return oneOf('priority', TICKET_PRIORITIES, raw);
}

export function checkType(raw: string | null | undefined): TicketType | null | undefined {
  return oneOf('type', TICKET_TYPES, raw);
}

export function checkDueAt(dueAt: Date | null, type: TicketType | null): Date | null {
  if (dueAt === null) return null;
  if (type !== 'task') throw TicketError.invalid('due_at', 'is only for tasks');
  return dueAt;
}
