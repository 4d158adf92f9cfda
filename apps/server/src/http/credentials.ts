/** What an `Authorization` header offers: the Zendesk Basic token form, or a Bearer token. */
export type Credentials =
  | { readonly kind: 'basic-token'; readonly email: string; readonly token: string }
  | { readonly kind: 'bearer'; readonly token: string };

/** Longer than any credential Steward issues with a long email address; more is refused unread. */
export const MAX_AUTHORIZATION_LENGTH = 1_024;
const HEADER = /^([A-Za-z]+) +([^ ]+) *$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const TOKEN_USER_SUFFIX = '/token';

/**
 * Reads `Basic base64(email/token:TOKEN)` or `Bearer TOKEN`; anything else (password Basic,
 * other schemes, bad base64, oversized) is undefined. Never throws.
 */
export function parseAuthorization(header: string | undefined): Credentials | undefined {
  if (header === undefined || header.length > MAX_AUTHORIZATION_LENGTH) return undefined;
  const match = HEADER.exec(header);
  if (!match) return undefined;
  const scheme = (match[1] ?? '').toLowerCase();
  const value = match[2] ?? '';
  if (scheme === 'bearer') return { kind: 'bearer', token: value };
  if (scheme !== 'basic' || !BASE64.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const user = decoded.slice(0, colon);
  const token = decoded.slice(colon + 1);
  if (!user.endsWith(TOKEN_USER_SUFFIX)) return undefined;
  const email = user.slice(0, -TOKEN_USER_SUFFIX.length);
  if (email === '' || token === '') return undefined;
  return { kind: 'basic-token', email, token };
}
