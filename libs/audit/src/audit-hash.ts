import { createHash, createHmac } from 'node:crypto';

/** The `prev_hash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** Names the serialisation below; a new one would get a new name, never change this one. */
const FORMAT = 'steward.audit.v1';

/** What an entry's hash covers: every field except ip and user agent (see AuditEntryEntity). */
export interface HashedFields {
  readonly id: number;
  readonly occurredAt: Date;
  readonly actorType: string;
  readonly actorId: string | null;
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly networkDigest: string | null;
  readonly details: string | null;
  readonly prevHash: string;
}

/**
 * The canonical serialisation of an entry: a JSON array in a fixed order, so that it has one
 * spelling whatever the database returns. Dates are ISO 8601 UTC with milliseconds.
 */
export function canonicalEntry(entry: HashedFields): string {
  const time = entry.occurredAt.getTime();
  return JSON.stringify([
    FORMAT,
    entry.id,
    Number.isNaN(time) ? 'invalid date' : entry.occurredAt.toISOString(),
    entry.actorType,
    entry.actorId,
    entry.action,
    entry.targetType,
    entry.targetId,
    entry.networkDigest,
    entry.details,
    entry.prevHash,
  ]);
}

/** SHA-256 (hex) of the canonical serialisation, which includes the previous entry's hash. */
export function entryHash(entry: HashedFields): string {
  return createHash('sha256').update(canonicalEntry(entry)).digest('hex');
}

/** HMAC-SHA256 (hex) of ip and user agent, keyed with the entry's own random salt (hex). */
export function networkDigest(salt: string, ip: string | null, userAgent: string | null): string {
  return createHmac('sha256', Buffer.from(salt, 'hex'))
    .update(JSON.stringify([ip, userAgent]))
    .digest('hex');
}

/** The network columns of an entry, as stored. */
export interface NetworkFields {
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly networkSalt: string | null;
  readonly networkDigest: string | null;
}

/**
 * True when ip and user agent are what was recorded: their digest matches while the salt is
 * there, and both are empty once it is gone (erased, or never recorded).
 */
export function networkIntact(entry: NetworkFields): boolean {
  if (entry.networkSalt === null) return entry.ip === null && entry.userAgent === null;
  return entry.networkDigest === networkDigest(entry.networkSalt, entry.ip, entry.userAgent);
}
