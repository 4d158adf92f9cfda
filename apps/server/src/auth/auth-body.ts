import { type SessionContext, SignInError } from '@steward/identity';
import type { Request } from 'express';

/** A field of a JSON or form body that must be a non-empty string. */
export function field(body: unknown, name: string): string {
  const value = optionalField(body, name);
  if (value === undefined) throw SignInError.missing(name);
  return value;
}

/** A field that may be absent; present, it must be a non-empty string. */
export function optionalField(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | null | undefined)?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw SignInError.missing(name);
  return value;
}

/** Where a request came from, for the session and the audit log. */
export function contextOf(req: Request): SessionContext {
  return { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null };
}
