import { createContext, Script } from 'node:vm';
import { CONTROL_CHARACTERS } from '@steward/platform';
import type { TicketFieldType } from './ticket-field.entity';
import { TicketError } from './ticket.errors';

/** The longest single-line text value, and the largest multi-line one (bytes). */
export const MAX_TEXT_FIELD_LENGTH = 255;
export const MAX_TEXTAREA_FIELD_BYTES = 65_536;
/** A `regexp` field's value and pattern are bounded: a pattern runs on every value set. */
export const MAX_REGEXP_VALUE_LENGTH = 1000;
export const MAX_REGEXP_PATTERN_LENGTH = 255;
/** How long one pattern may run on one value before the value is refused. */
const REGEXP_TIME_LIMIT_MS = 100;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INTEGER = /^-?\d{1,15}$/;
const DECIMAL = /^-?\d{1,15}(\.\d{1,10})?$/;

/** What a value check needs to know of a field. */
export interface FieldShape {
  readonly id: number;
  readonly type: TicketFieldType;
  readonly regexpForValidation: string | null;
  /** The values of its options (drop-down and multi-select). */
  readonly optionValues: readonly string[];
}

/**
 * A Zendesk pattern as JavaScript runs it: Ruby's `\A`, `\z` and `\Z` anchors become `^` and
 * `$`; a pattern that does not compile is refused.
 */
export function compilePattern(pattern: string, field = 'regexp_for_validation'): RegExp {
  if (pattern.length > MAX_REGEXP_PATTERN_LENGTH) {
    throw TicketError.invalid(
      field,
      `is too long: at most ${MAX_REGEXP_PATTERN_LENGTH} characters`,
    );
  }
  const translated = pattern.replace(
    /(?<!\\)((?:\\\\)*)\\([AzZ])/g,
    (_all, slashes: string, anchor: string) => `${slashes}${anchor === 'A' ? '^' : '$'}`,
  );
  try {
    return new RegExp(translated);
  } catch {
    throw TicketError.invalid(field, 'is not a valid regular expression');
  }
}

/**
 * Runs a pattern in a separate context with a time limit, so that a pattern that backtracks
 * without end (`(a+)+$` on a long value) refuses the value instead of stalling the server.
 */
const sandbox = createContext(Object.create(null) as object);
const matcher = new Script('pattern.test(value)');

function matches(pattern: RegExp, value: string, field: string): boolean {
  const context = sandbox as { pattern?: RegExp; value?: string };
  context.pattern = pattern;
  context.value = value;
  try {
    return matcher.runInContext(sandbox, { timeout: REGEXP_TIME_LIMIT_MS }) === true;
  } catch {
    throw TicketError.invalid(field, 'could not be checked against the pattern in time');
  } finally {
    delete context.pattern;
    delete context.value;
  }
}

function validDate(value: string): boolean {
  const parts = DATE.exec(value);
  if (!parts) return false;
  const date = new Date(Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3])));
  return date.toISOString().slice(0, 10) === value;
}

/**
 * A client's value for a field, checked by type and returned in its stored form: text as text,
 * numbers in decimal notation, a date as `YYYY-MM-DD`, a checked checkbox as `true`, the chosen
 * option value(s) (a multi-select's sorted and joined by spaces). Null means "no value": an
 * empty value, an unchecked checkbox, no option chosen.
 */
export function storedValue(shape: FieldShape, raw: unknown): string | null {
  const field = `custom_fields.${shape.id}`;
  const bad = (problem: string) => TicketError.invalid(field, problem);
  if (raw === null || raw === undefined) return null;
  switch (shape.type) {
    case 'text': {
      if (typeof raw !== 'string') throw bad('must be a string');
      const value = raw.trim();
      if ([...value].length > MAX_TEXT_FIELD_LENGTH) {
        throw bad(`is too long: at most ${MAX_TEXT_FIELD_LENGTH} characters`);
      }
      if (/[\r\n]/.test(value) || CONTROL_CHARACTERS.test(value)) {
        throw bad('must be one line without control characters');
      }
      return value === '' ? null : value;
    }
    case 'textarea': {
      if (typeof raw !== 'string') throw bad('must be a string');
      const value = raw.replace(/\r\n/g, '\n').trim();
      if (Buffer.byteLength(value, 'utf8') > MAX_TEXTAREA_FIELD_BYTES) {
        throw bad(`is too long: at most ${MAX_TEXTAREA_FIELD_BYTES} bytes`);
      }
      if (CONTROL_CHARACTERS.test(value)) throw bad('contains control characters');
      return value === '' ? null : value;
    }
    case 'integer': {
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return String(raw);
      if (typeof raw === 'string' && INTEGER.test(raw.trim())) return String(Number(raw.trim()));
      if (raw === '') return null;
      throw bad('must be a whole number');
    }
    case 'decimal': {
      if (raw === '') return null;
      const text = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
      if (typeof text === 'string' && DECIMAL.test(text.trim())) {
        return String(Number(text.trim()));
      }
      throw bad('must be a decimal number, e.g. 12.5, with at most 15 digits before the point');
    }
    case 'checkbox': {
      if (typeof raw !== 'boolean') throw bad('must be true or false');
      return raw ? 'true' : null;
    }
    case 'date': {
      if (raw === '') return null;
      if (typeof raw === 'string' && validDate(raw)) return raw;
      throw bad('must be a date as YYYY-MM-DD');
    }
    case 'tagger': {
      if (raw === '') return null;
      if (typeof raw !== 'string') throw bad('must be the value of one of its options');
      if (!shape.optionValues.includes(raw)) {
        throw bad(`"${raw.slice(0, 80)}" is not the value of one of its options`);
      }
      return raw;
    }
    case 'multiselect': {
      if (!Array.isArray(raw) || raw.some((item) => typeof item !== 'string')) {
        throw bad('must be a list of option values');
      }
      const values = [...new Set(raw as string[])];
      const unknown = values.find((value) => !shape.optionValues.includes(value));
      if (unknown !== undefined) {
        throw bad(`"${unknown.slice(0, 80)}" is not the value of one of its options`);
      }
      return values.length === 0 ? null : values.sort().join(' ');
    }
    case 'regexp': {
      if (typeof raw !== 'string') throw bad('must be a string');
      const value = raw.trim();
      if (value === '') return null;
      if ([...value].length > MAX_REGEXP_VALUE_LENGTH) {
        throw bad(`is too long: at most ${MAX_REGEXP_VALUE_LENGTH} characters`);
      }
      const pattern = compilePattern(shape.regexpForValidation ?? '', field);
      if (!matches(pattern, value, field)) throw bad('does not match the field’s pattern');
      return value;
    }
  }
}

/** A stored value as the API shows it: numbers as numbers, a checkbox as a boolean, a list. */
export function shownValue(type: TicketFieldType, stored: string | null): unknown {
  switch (type) {
    case 'checkbox':
      return stored === 'true';
    case 'integer':
    case 'decimal':
      return stored === null ? null : Number(stored);
    case 'multiselect':
      return stored === null ? null : stored.split(' ');
    case 'text':
    case 'textarea':
    case 'date':
    case 'tagger':
    case 'regexp':
      return stored;
  }
}

/** The tags a value puts on its ticket: a checked checkbox's tag, a drop-down's option value. */
export function tagsOfValue(
  type: TicketFieldType,
  tag: string | null,
  stored: string | null,
): string[] {
  if (stored === null) return [];
  if (type === 'checkbox') return tag === null ? [] : [tag];
  if (type === 'tagger' || type === 'multiselect') return stored.split(' ');
  return [];
}
