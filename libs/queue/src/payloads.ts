/** The payload of most jobs: the id of the row to work on, and nothing else. */
export interface IdPayload {
  readonly id: string | number;
}

const STRING_ID = /^[A-Za-z0-9._-]{1,128}$/;

function isPlainObject(input: unknown): input is object {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

/**
 * Payload parser for `{ id }`: a positive safe integer or a 1–128 character token of letters,
 * digits, `.`, `_` and `-`. Any other property is rejected, so that no personal data rides
 * along. Error messages never echo the input.
 */
export function idPayload(input: unknown): IdPayload {
  if (!isPlainObject(input) || !('id' in input)) {
    throw new Error('expected an object { id }');
  }
  if (Object.keys(input).length !== 1) {
    throw new Error('expected only the property id');
  }
  const id = input.id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return { id };
  if (typeof id === 'string' && STRING_ID.test(id)) return { id };
  throw new Error('expected id to be a positive integer or a 1–128 character token');
}

/** Payload parser for jobs that carry nothing, such as cron schedules: accepts only `{}`. */
export function noPayload(input: unknown): Record<string, never> {
  if (!isPlainObject(input) || Object.keys(input).length !== 0) {
    throw new Error('expected an empty payload {}');
  }
  return {};
}
