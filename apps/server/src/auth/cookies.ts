import type { OpenedSession } from '@steward/identity';
import type { Response } from 'express';

export const SESSION_COOKIE = 'steward_session';
export const CSRF_COOKIE = 'steward_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** Longer than any Cookie header a browser sends Steward; more is not read. */
const MAX_COOKIE_HEADER = 8_192;

/** The cookies of a `Cookie` header by name (the first of a repeated name wins). Never throws. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === undefined || header.length > MAX_COOKIE_HEADER) return cookies;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    const name = part.slice(0, equals).trim();
    let value = part.slice(equals + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1);
    }
    if (name !== '' && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export interface CookieOptions {
  /** Behind https (STEWARD_PUBLIC_URL): cookies are sent over https only. */
  readonly secure: boolean;
  /** The session's absolute lifetime. */
  readonly maxAgeSeconds: number;
}

function attributes(secure: boolean, maxAgeSeconds: number): string {
  return `Path=/; Max-Age=${maxAgeSeconds}; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/**
 * Sets the session cookie (HttpOnly, SameSite=Lax, Secure behind https; ASVS V3.4) and the
 * CSRF cookie that the web app reads and echoes in X-CSRF-Token (not HttpOnly, by design).
 */
export function setSessionCookies(
  res: Response,
  session: OpenedSession,
  { secure, maxAgeSeconds }: CookieOptions,
): void {
  const maxAge = maxAgeSeconds;
  res.append('Set-Cookie', [
    `${SESSION_COOKIE}=${session.token}; ${attributes(secure, maxAge)}; HttpOnly`,
    `${CSRF_COOKIE}=${session.csrfToken}; ${attributes(secure, maxAge)}`,
  ]);
}

export function clearSessionCookies(res: Response, { secure }: CookieOptions): void {
  res.append('Set-Cookie', [
    `${SESSION_COOKIE}=; ${attributes(secure, 0)}; HttpOnly`,
    `${CSRF_COOKIE}=; ${attributes(secure, 0)}`,
  ]);
}
