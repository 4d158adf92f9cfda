import type { TicketCommentEntity } from './ticket-comment.entity';
import type { AuditEventRow } from './ticket.repository';

/**
 * The events of a ticket audit, as stored: values as JSON (times as ISO strings), a Create
 * event without a previous value, a Comment event pointing at its comment.
 */

/** Whether a field keeps its value (times by instant, lists item by item). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => item === b[i]);
  }
  return a === b;
}

function stored(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  return JSON.stringify(value);
}

export function changeEvent(
  type: 'Create' | 'Change',
  fieldName: string,
  value: unknown,
  previous: unknown,
): AuditEventRow {
  return {
    type,
    fieldName,
    value: stored(value),
    previousValue: type === 'Create' ? null : stored(previous),
    commentId: null,
  };
}

export function commentEvent(comment: TicketCommentEntity): AuditEventRow {
  return {
    type: 'Comment',
    fieldName: null,
    value: null,
    previousValue: null,
    commentId: comment.id,
  };
}
