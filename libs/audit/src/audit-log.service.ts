import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { Injectable, Logger } from '@nestjs/common';
import { BEFORE_COMMIT, Database } from '@steward/persistence';
import { Clock, scrub } from '@steward/platform';
import { AUDIT_ACTOR_TYPES, type AuditActorType, AuditEntryEntity } from './audit-entry.entity';
import { entryHash, GENESIS_HASH, networkDigest, networkIntact } from './audit-hash';
import { AuditError } from './audit.errors';
import { AuditRepository, type ChainHead } from './audit.repository';

/** The entries a transaction recorded, waiting for its commit (see AuditLog.record). */
const PENDING = Symbol('audit entries');

/** Largest `details` stored, in bytes of JSON; a larger object is replaced by a note. */
export const MAX_DETAILS_BYTES = 8192;
export const MAX_USER_AGENT_LENGTH = 512;
export const MAX_QUERY_LIMIT = 100;
const VERIFY_BATCH = 500;

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const TYPE = /^[a-z][a-z0-9_]{0,31}$/;
/** Ids, never addresses: no `@`, no spaces. */
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Key/value facts about an event; values under password, token, secret … keys are redacted. */
export type AuditDetails = Readonly<Record<string, unknown>>;

export interface RecordAuditEntry {
  readonly actorType: AuditActorType;
  /** The user id or API token id; required for `user` and `api_token`. Never an email. */
  readonly actorId?: string | number | null;
  /** Dotted, e.g. `auth.sign_in.failed` (see AuditAction). */
  readonly action: string;
  /** What was acted on, e.g. `user`, `group`, `settings`. */
  readonly targetType?: string | null;
  readonly targetId?: string | number | null;
  readonly ip?: string | null;
  /** Cut to 512 characters; control characters are replaced. */
  readonly userAgent?: string | null;
  readonly details?: AuditDetails;
}

/** An entry as the audit log shows it. */
export interface AuditEntry {
  readonly id: number;
  readonly occurredAt: Date;
  readonly actorType: AuditActorType;
  readonly actorId: string | null;
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly details: AuditDetails | null;
  readonly hash: string;
}

export interface AuditQuery {
  readonly actorType?: AuditActorType;
  readonly actorId?: string;
  readonly action?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  /** Entries at or after this time. */
  readonly from?: Date;
  /** Entries before this time. */
  readonly to?: Date;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
  /** 1 to 100; default 100. */
  readonly limit?: number;
}

export interface AuditPage {
  /** Newest first. */
  readonly entries: AuditEntry[];
  /** Present when there are older entries: pass it as `cursor` for the next page. */
  readonly nextCursor?: string;
}

export type AuditProblem =
  'hash mismatch' | 'broken link' | 'missing entries' | 'missing chain head';

export interface AuditVerification {
  readonly ok: boolean;
  /** Entries found intact (before the first problem). */
  readonly checked: number;
  /**
   * `hash mismatch`: the entry was changed. `broken link`: it does not follow the entry before
   * it, or the chain head does not end at it. `missing entries`: entries from this id on were
   * removed. `missing chain head`: the row that vouches for the end of the chain is gone.
   */
  readonly firstProblem?: { readonly id: number; readonly problem: AuditProblem };
  /** The last entry, when the chain is intact: note its hash elsewhere to anchor the chain. */
  readonly last?: { readonly id: number; readonly hash: string };
}

/**
 * The append-only, hash-chained audit log. Every entry carries the previous entry's hash, so
 * `verify` finds an entry that was edited, removed or slipped in. Call `record` inside the
 * unit of work that makes the change, so the entry commits with it: the entries of a
 * transaction join the chain just before it commits, so the chain's lock, which every audited
 * change in the installation waits for, is held for the commit only.
 */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger('AuditLog');

  constructor(
    private readonly entries: AuditRepository,
    private readonly clock: Clock,
    private readonly db: Database,
  ) {}

  /**
   * Records one entry: at the end of the current transaction (just before it commits, in the
   * order recorded), or at once outside one.
   */
  async record(input: RecordAuditEntry): Promise<void> {
    const pending = this.db.collect<Array<(head: ChainHead) => AuditEntryEntity>>(
      PENDING,
      BEFORE_COMMIT.auditChain,
      () => [],
      async (builds) => {
        await this.appendAll(builds);
      },
    );
    if (pending) pending.push(this.builder(input));
    else await this.appendAll([this.builder(input)]);
  }

  /** Appends one entry now (joining the current transaction, if any) and returns it. */
  async append(input: RecordAuditEntry): Promise<AuditEntry> {
    const [entry] = await this.appendAll([this.builder(input)]);
    return entry;
  }

  /** What builds an entry for the head it will follow; its time is the time it was recorded. */
  private builder(input: RecordAuditEntry): (head: ChainHead) => AuditEntryEntity {
    const fields = normalise(input);
    const occurredAt = this.clock.now();
    const salt =
      fields.ip !== null || fields.userAgent !== null ? randomBytes(16).toString('hex') : null;
    return (head) => {
      const entry = Object.assign(new AuditEntryEntity(), {
        ...fields,
        id: head.lastId + 1,
        occurredAt,
        networkSalt: salt,
        networkDigest: salt === null ? null : networkDigest(salt, fields.ip, fields.userAgent),
        prevHash: head.lastHash,
        hash: '',
      });
      entry.hash = entryHash(entry);
      return entry;
    };
  }

  private async appendAll(
    builds: ReadonlyArray<(head: ChainHead) => AuditEntryEntity>,
  ): Promise<AuditEntry[]> {
    if (builds.length === 0) return [];
    let entries = await this.entries.append(builds);
    if (!entries) {
      const lastId = await this.entries.ensureHead();
      if (lastId > 0) {
        this.logger.warn(
          `the audit chain head was missing; recreated it at entry ${lastId} (run steward audit verify)`,
        );
      }
      entries = await this.entries.append(builds);
      if (!entries) throw new Error('the audit chain head is missing and could not be recreated');
    }
    return entries.map(toAuditEntry);
  }

  /**
   * Walks the whole chain in order, `batchSize` entries at a time, and reports the first
   * entry that was changed, removed or inserted, or a removed tail.
   */
  async verify(batchSize = VERIFY_BATCH): Promise<AuditVerification> {
    let head = await this.entries.readHead();
    let prevHash = GENESIS_HASH;
    let checked = 0;
    const broken = (id: number, problem: AuditProblem): AuditVerification => ({
      ok: false,
      checked,
      firstProblem: { id, problem },
    });
    for (;;) {
      const batch = await this.entries.entriesAfter(checked, batchSize);
      for (const row of batch) {
        const expected = checked + 1;
        if (row.id !== expected) return broken(expected, 'missing entries');
        if (row.prevHash !== prevHash) return broken(row.id, 'broken link');
        if (entryHash(row) !== row.hash || !networkIntact(row))
          return broken(row.id, 'hash mismatch');
        // Entries appended since the head was read are fine when the head now covers them.
        if (head && row.id > head.lastId) head = await this.entries.readHead();
        if (
          head &&
          (row.id > head.lastId || (row.id === head.lastId && row.hash !== head.lastHash))
        )
          return broken(row.id, 'broken link');
        prevHash = row.hash;
        checked = row.id;
      }
      if (batch.length < batchSize) break;
    }
    head ??= await this.entries.readHead();
    if (!head) return checked === 0 ? { ok: true, checked } : broken(checked, 'missing chain head');
    if (head.lastId > checked) return broken(checked + 1, 'missing entries');
    return checked === 0
      ? { ok: true, checked }
      : { ok: true, checked, last: { id: checked, hash: prevHash } };
  }

  /** Entries matching every given filter, newest first, a page at a time. */
  async query(query: AuditQuery = {}): Promise<AuditPage> {
    const limit = query.limit ?? MAX_QUERY_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT)
      throw AuditError.invalid('limit', `must be an integer from 1 to ${MAX_QUERY_LIMIT}`);
    if (query.actorType !== undefined && !AUDIT_ACTOR_TYPES.includes(query.actorType))
      throw AuditError.invalid('actor_type', `must be one of ${AUDIT_ACTOR_TYPES.join(', ')}`);
    for (const [field, value] of [
      ['from', query.from],
      ['to', query.to],
    ] as const) {
      if (value !== undefined && Number.isNaN(value.getTime()))
        throw AuditError.invalid(field, 'is not a valid time');
    }
    const rows = await this.entries.search(
      {
        actorType: query.actorType,
        actorId: query.actorId,
        action: query.action,
        targetType: query.targetType,
        targetId: query.targetId,
        from: query.from,
        to: query.to,
        beforeId: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      },
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      entries: page.map(toAuditEntry),
      ...(rows.length > limit && last ? { nextCursor: encodeCursor(last.id) } : {}),
    };
  }

  /** One entry, or undefined when there is none with this id. */
  async find(id: number): Promise<AuditEntry | undefined> {
    const row = await this.entries.findById(id);
    return row ? toAuditEntry(row) : undefined;
  }

  /** Every entry whose actor or target is the user, oldest first (for a data export). */
  async entriesForUser(userId: string): Promise<AuditEntry[]> {
    return (await this.entries.forUser(userId)).map(toAuditEntry);
  }

  countForUser(userId: string): Promise<number> {
    return this.entries.countForUser(userId);
  }

  /** How many of the user's own entries (as actor) still hold an IP address or user agent. */
  countNetworkDataOfUser(userId: string): Promise<number> {
    return this.entries.countNetworkDataOf('user', userId);
  }

  /**
   * Removes IP addresses and user agents from the entries where the user is the actor (an
   * erasure). The chain stays intact: it covers them only through a keyed digest whose key is
   * removed with them. Returns how many entries changed.
   */
  eraseNetworkDataOfUser(userId: string): Promise<number> {
    return this.entries.eraseNetworkDataOf('user', userId);
  }
}

type NormalisedFields = Pick<
  AuditEntryEntity,
  'actorType' | 'actorId' | 'action' | 'targetType' | 'targetId' | 'ip' | 'userAgent' | 'details'
>;

function normalise(input: RecordAuditEntry): NormalisedFields {
  if (!AUDIT_ACTOR_TYPES.includes(input.actorType))
    throw AuditError.invalid('actor_type', `must be one of ${AUDIT_ACTOR_TYPES.join(', ')}`);
  const actorId = id('actor_id', input.actorId);
  if (actorId === null && (input.actorType === 'user' || input.actorType === 'api_token'))
    throw AuditError.invalid('actor_id', `is required for a ${input.actorType} actor`);
  if (input.action.length > 64 || !ACTION.test(input.action))
    throw AuditError.invalid('action', 'must be dotted lower-case words, at most 64 characters');
  const targetType = input.targetType ?? null;
  if (targetType !== null && !TYPE.test(targetType))
    throw AuditError.invalid('target_type', 'must be a lower-case word of at most 32 characters');
  const targetId = id('target_id', input.targetId);
  if (targetId !== null && targetType === null)
    throw AuditError.invalid('target_type', 'is required with a target id');
  const ip = input.ip || null;
  if (ip !== null && (ip.length > 45 || isIP(ip) === 0))
    throw AuditError.invalid('ip', 'is not an IP address');
  const userAgent = input.userAgent
    ? [...input.userAgent.replace(CONTROL, '\uFFFD')].slice(0, MAX_USER_AGENT_LENGTH).join('')
    : null;
  return {
    actorType: input.actorType,
    actorId,
    action: input.action,
    targetType,
    targetId,
    ip,
    userAgent,
    details: serialiseDetails(input.details),
  };
}

function id(field: string, value: string | number | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const text = String(value);
  if (!ID.test(text))
    throw AuditError.invalid(field, 'must be an id (letters, digits, _ . : -), never an address');
  return text;
}

/** JSON of the scrubbed details; null when there are none; a note when over the size limit. */
export function serialiseDetails(details: AuditDetails | undefined): string | null {
  if (details === undefined || Object.keys(details).length === 0) return null;
  let json: string;
  try {
    json = JSON.stringify(scrub(details));
  } catch {
    throw AuditError.invalid('details', 'must be serialisable as JSON');
  }
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes <= MAX_DETAILS_BYTES) return json;
  return JSON.stringify({
    truncated: `details of ${bytes} bytes exceeded the limit of ${MAX_DETAILS_BYTES}`,
  });
}

function toAuditEntry(row: AuditEntryEntity): AuditEntry {
  return {
    id: row.id,
    occurredAt: row.occurredAt,
    actorType: row.actorType,
    actorId: row.actorId,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    ip: row.ip,
    userAgent: row.userAgent,
    details: parseDetails(row.details),
    hash: row.hash,
  };
}

function parseDetails(details: string | null): AuditDetails | null {
  if (details === null) return null;
  try {
    const parsed: unknown = JSON.parse(details);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as AuditDetails)
      : null;
  } catch {
    return null;
  }
}

function encodeCursor(beforeId: number): string {
  return Buffer.from(JSON.stringify({ before: beforeId })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      before?: unknown;
    };
    if (Number.isSafeInteger(parsed.before) && (parsed.before as number) > 0)
      return parsed.before as number;
  } catch {
    // falls through to the error below
  }
  throw AuditError.invalid('cursor', 'is not a cursor of this audit log');
}
