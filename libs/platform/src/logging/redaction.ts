/** Keys whose values never reach a log line, wherever they appear in a logged object. */
const SENSITIVE_KEY =
  /pass(word|wd|phrase)?|secret|token|authori[sz]ation|cookie|api[-_]?key|credential|private[-_]?key|otp|recovery[-_]?code|^(body|rawBody|raw)$/i;

export const REDACTED = '[redacted]';

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

/**
 * A copy of a value fit for a log line: values under sensitive keys (at any depth) are
 * replaced, request bodies are dropped, and cycles and very deep nesting are cut.
 */
export function scrub(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[depth]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1, seen));
  if (value instanceof Error) return scrubError(value, depth, seen);
  if (Buffer.isBuffer(value) || value instanceof Date || value instanceof URL) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSensitiveKey(key) ? REDACTED : scrub(item, depth + 1, seen);
  }
  return out;
}

function scrubError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: error.name,
    message: error.message,
    stack: error.stack,
  };
  for (const [key, item] of Object.entries(error)) {
    out[key] = isSensitiveKey(key) ? REDACTED : scrub(item, depth + 1, seen);
  }
  return out;
}

/** A URL path with the values of sensitive query parameters replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of [...params.keys()]) {
    if (isSensitiveKey(key)) params.set(key, REDACTED);
  }
  return `${url.slice(0, q)}?${params.toString()}`;
}
