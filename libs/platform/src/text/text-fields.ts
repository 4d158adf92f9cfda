/**
 * The rules every free-text field of Steward's API follows, in one place: lengths count code
 * points (what MySQL's `varchar(n)` counts in utf8mb4, and the same on SQLite), values are
 * trimmed, and control characters never get in — nor bidirectional overrides, which can make
 * a name or a file name read differently from what it is.
 */

/** C0 and C1 controls other than tab and line breaks, DEL, and bidirectional controls. */
export const CONTROL_CHARACTERS =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** What may not appear in a one-line value, beyond the controls: line breaks and tabs. */
export const LINE_BREAKS = /[\t\n\r\u2028\u2029]/;

/** How a caller turns a problem into its own error (`(problem) => GroupError.invalid('name', problem)`). */
export type RejectField = (problem: string) => Error;

/** The length of a text as MySQL counts it: code points, not UTF-16 units. */
export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** A one-line value that must be given: trimmed, not blank, at most `max` characters. */
export function requiredLine(raw: string, max: number, reject: RejectField): string {
  const value = raw.trim();
  if (value === '') throw reject('cannot be blank');
  return checkedLine(value, max, reject);
}

/** A one-line value that may be left out: blank or null is null. */
export function optionalLine(raw: string | null, max: number, reject: RejectField): string | null {
  const value = raw?.trim() ?? '';
  return value === '' ? null : checkedLine(value, max, reject);
}

/** Free text (line breaks allowed) that may be left out: blank or null is null. */
export function optionalText(raw: string | null, max: number, reject: RejectField): string | null {
  const value = raw?.trim() ?? '';
  if (value === '') return null;
  if (codePoints(value) > max || CONTROL_CHARACTERS.test(value)) {
    throw reject(`must be at most ${max} characters, without control characters`);
  }
  return value;
}

function checkedLine(value: string, max: number, reject: RejectField): string {
  if (codePoints(value) > max || CONTROL_CHARACTERS.test(value) || LINE_BREAKS.test(value)) {
    throw reject(`must be at most ${max} characters, on one line`);
  }
  return value;
}
