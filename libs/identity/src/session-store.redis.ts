import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  Clock,
  ErrorCode,
  errorMessage,
  STEWARD_CONFIG,
  StewardError,
  type StewardConfig,
} from '@steward/platform';
import type * as IORedis from 'ioredis';
import { SessionEntity } from './session.entity';
import { SESSION_HISTORY_RETENTION_MS } from './session.service';
import {
  type SessionPatch,
  type SessionRecord,
  SessionStore,
  type StoredSession,
} from './session-store';
import { UserRepository } from './user.repository';

/** What a request gets when Redis fails: the ErrorFilter answers 503 with it. */
export const SESSIONS_UNAVAILABLE = 'Sign-in sessions are unavailable right now; try again shortly';

/*
 * A session is a hash with one field per record field. Values carry their type in their first
 * character, so that any field revives without knowing the record's shape: `d` and epoch
 * milliseconds for a Date, `j` and JSON for anything else (a string, number, boolean or null).
 * The scripts below rely on two of these: an unrevoked session has `revokedAt` = `jnull`, and
 * `lastSeenAt` / `expiresAt` are Dates. They address the session keys of a user's index through
 * the key prefix (ARGV), which standalone Redis and Sentinel allow and Redis Cluster does not.
 */

/** KEYS: session, index. ARGV: createdAt, id, ttl, session key prefix, field/value pairs. */
const INSERT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('ERR session id exists') end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if redis.call('EXISTS', ARGV[4] .. id) == 0 then redis.call('ZREM', KEYS[2], id) end
end
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
return 1`;

/** KEYS: session. ARGV: now, staleBefore. Never creates a key that is gone. */
const TOUCH = `
local seen = redis.call('HGET', KEYS[1], 'lastSeenAt')
if seen and tonumber(string.sub(seen, 2)) < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'lastSeenAt', 'd' .. ARGV[1])
end
return 0`;

/** KEYS: session. ARGV: ttl ('' when expiresAt is unchanged), index key prefix, pairs. */
const UPDATE = `
if redis.call('HGET', KEYS[1], 'revokedAt') ~= 'jnull' then return 0 end
if #ARGV > 2 then redis.call('HSET', KEYS[1], unpack(ARGV, 3)) end
if ARGV[1] ~= '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  local index = ARGV[2] .. string.sub(redis.call('HGET', KEYS[1], 'userId'), 2)
  if redis.call('PTTL', index) < tonumber(ARGV[1]) then redis.call('PEXPIRE', index, ARGV[1]) end
end
return 1`;

/** KEYS: session. ARGV: now. */
const REVOKE = `
if redis.call('HGET', KEYS[1], 'revokedAt') ~= 'jnull' then return 0 end
redis.call('HSET', KEYS[1], 'revokedAt', 'd' .. ARGV[1])
return 1`;

/** KEYS: index. ARGV: session key prefix, now. */
const REVOKE_BY_USER = `
local count = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[1] .. id
  if redis.call('HGET', key, 'revokedAt') == 'jnull' then
    redis.call('HSET', key, 'revokedAt', 'd' .. ARGV[2])
    count = count + 1
  end
end
return count`;

/** KEYS: index. ARGV: session key prefix, before. Drops index members whose key is gone. */
const DELETE_EXPIRED_BEFORE = `
local count = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[1] .. id
  local expires = redis.call('HGET', key, 'expiresAt')
  if not expires then
    redis.call('ZREM', KEYS[1], id)
  elseif tonumber(string.sub(expires, 2)) < tonumber(ARGV[2]) then
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], id)
    count = count + 1
  end
end
return count`;

/** KEYS: index. ARGV: session key prefix. */
const DELETE_BY_USER = `
local count = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  count = count + redis.call('DEL', ARGV[1] .. id)
end
redis.call('DEL', KEYS[1])
return count`;

type Arg = string | number;

/** The scripts, as ioredis commands (EVALSHA, loading the script on first use). */
interface SessionCommands {
  sessionInsert(session: string, index: string, ...args: Arg[]): Promise<number>;
  sessionTouch(session: string, now: number, staleBefore: number): Promise<number>;
  sessionUpdate(session: string, ...args: Arg[]): Promise<number>;
  sessionRevoke(session: string, now: number): Promise<number>;
  sessionRevokeByUser(index: string, sessionPrefix: string, now: number): Promise<number>;
  sessionDeleteExpiredBefore(index: string, sessionPrefix: string, before: number): Promise<number>;
  sessionDeleteByUser(index: string, sessionPrefix: string): Promise<number>;
}

/**
 * The production shape's session store: every server process reads the same sessions from
 * Redis, and a request's session check costs Redis a hash read instead of a database query.
 * A session lives in `…:session:<id>` (the id is the token's SHA-256, never the token); a sorted
 * set per user (`…:user-sessions:<user id>`, by creation time) finds a user's sessions for
 * "sign out everywhere", the sign-in history and erasure. Like the table, Redis keeps a revoked
 * or expired session for the sign-in history: every key expires SESSION_HISTORY_RETENTION_MS
 * after the session's absolute end. Changes run as Lua scripts, so that a touch or an update
 * racing a revocation or an erasure can neither un-revoke nor re-create a session.
 */
@Injectable()
export class RedisSessionStore extends SessionStore implements OnApplicationShutdown {
  private readonly redis: IORedis.Redis & SessionCommands;
  private readonly sessionPrefix: string;
  private readonly indexPrefix: string;
  private readonly logger = new Logger('Sessions');
  private down = false;

  constructor(
    private readonly users: UserRepository,
    private readonly clock: Clock,
    @Inject(STEWARD_CONFIG) config: StewardConfig,
  ) {
    super();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- only the production shape needs it
    const { Redis } = require('ioredis') as typeof IORedis;
    // Every request with a session cookie waits on Redis: one retry, a bounded wait, then 503.
    const redis = new Redis(config.redisUrl ?? '', {
      maxRetriesPerRequest: 1,
      lazyConnect: true,
      connectTimeout: 5_000,
      commandTimeout: 5_000,
    });
    redis.defineCommand('sessionInsert', { numberOfKeys: 2, lua: INSERT });
    redis.defineCommand('sessionTouch', { numberOfKeys: 1, lua: TOUCH });
    redis.defineCommand('sessionUpdate', { numberOfKeys: 1, lua: UPDATE });
    redis.defineCommand('sessionRevoke', { numberOfKeys: 1, lua: REVOKE });
    redis.defineCommand('sessionRevokeByUser', { numberOfKeys: 1, lua: REVOKE_BY_USER });
    redis.defineCommand('sessionDeleteExpiredBefore', {
      numberOfKeys: 1,
      lua: DELETE_EXPIRED_BEFORE,
    });
    redis.defineCommand('sessionDeleteByUser', { numberOfKeys: 1, lua: DELETE_BY_USER });
    // One line per outage (ioredis reports every reconnection attempt), not one per request.
    redis.on('error', (error: Error) => {
      if (this.down) return;
      this.down = true;
      this.logger.error(`Redis unreachable: ${error.message}; sessions unavailable`);
    });
    redis.on('ready', () => {
      if (!this.down) return;
      this.down = false;
      this.logger.log('Redis reachable again');
    });
    this.redis = redis as IORedis.Redis & SessionCommands;
    this.sessionPrefix = `${config.redisPrefix}:session:`;
    this.indexPrefix = `${config.redisPrefix}:user-sessions:`;
  }

  async insert(session: SessionRecord): Promise<void> {
    const ttl = this.ttl(session.expiresAt);
    await this.call(() =>
      this.redis.sessionInsert(
        this.sessionKey(session.id),
        this.indexKey(session.userId),
        session.createdAt.getTime(),
        session.id,
        ttl,
        this.sessionPrefix,
        ...encodeFields(session),
      ),
    );
  }

  /** One hash read, then the user by primary key. */
  async findActive(id: string): Promise<StoredSession | undefined> {
    const fields = await this.call(() => this.redis.hgetall(this.sessionKey(id)));
    const session = decodeRecord(fields);
    if (!session || session.revokedAt !== null) return undefined;
    const user = await this.users.findById(session.userId);
    return user ? { session, user } : undefined;
  }

  async touch(id: string, now: Date, staleBefore: Date): Promise<void> {
    await this.call(() =>
      this.redis.sessionTouch(this.sessionKey(id), now.getTime(), staleBefore.getTime()),
    );
  }

  async update(id: string, patch: SessionPatch): Promise<boolean> {
    const ttl = patch.expiresAt === undefined ? '' : this.ttl(patch.expiresAt);
    const updated = await this.call(() =>
      this.redis.sessionUpdate(this.sessionKey(id), ttl, this.indexPrefix, ...encodeFields(patch)),
    );
    return updated === 1;
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    const revoked = await this.call(() =>
      this.redis.sessionRevoke(this.sessionKey(id), now.getTime()),
    );
    return revoked === 1;
  }

  revokeByUser(userId: number, now: Date): Promise<number> {
    return this.call(() =>
      this.redis.sessionRevokeByUser(this.indexKey(userId), this.sessionPrefix, now.getTime()),
    );
  }

  deleteExpiredBefore(userId: number, before: Date): Promise<number> {
    return this.call(() =>
      this.redis.sessionDeleteExpiredBefore(
        this.indexKey(userId),
        this.sessionPrefix,
        before.getTime(),
      ),
    );
  }

  /** The users' indexes, then their sessions in one pipeline; a session gone since is left out. */
  async listByUsers(userIds: readonly number[]): Promise<SessionRecord[]> {
    if (userIds.length === 0) return [];
    const ids = (
      await this.call(() =>
        Promise.all(userIds.map((userId) => this.redis.zrange(this.indexKey(userId), 0, -1))),
      )
    ).flat();
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.sessionKey(id));
    const replies = (await this.call(() => pipeline.exec())) ?? [];
    const sessions: SessionRecord[] = [];
    for (const [error, fields] of replies) {
      if (error) throw this.unavailable(error);
      const session = decodeRecord(fields as Record<string, string>);
      if (session) sessions.push(session);
    }
    return sessions.sort(
      (a, b) =>
        a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  }

  async deleteByUsers(userIds: readonly number[]): Promise<number> {
    let deleted = 0;
    for (const userId of userIds) {
      deleted += await this.call(() =>
        this.redis.sessionDeleteByUser(this.indexKey(userId), this.sessionPrefix),
      );
    }
    return deleted;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status !== 'end' && this.redis.status !== 'wait') await this.redis.quit();
    else this.redis.disconnect();
  }

  /**
   * How long Redis keeps a session: the sign-in history's retention after its absolute end, as
   * the table keeps its row (by the Clock, so the test clock and Redis agree). At least 1 ms:
   * PEXPIRE with 0 would delete at once and leave the user's index without an expiry.
   */
  private ttl(expiresAt: Date): number {
    return Math.max(
      1,
      expiresAt.getTime() + SESSION_HISTORY_RETENTION_MS - this.clock.now().getTime(),
    );
  }

  private sessionKey(id: string): string {
    return `${this.sessionPrefix}${id}`;
  }

  private indexKey(userId: number): string {
    return `${this.indexPrefix}${userId}`;
  }

  /** Runs a Redis command; a failure becomes the 503 the ErrorFilter answers for Unavailable. */
  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  private unavailable(error: unknown): StewardError {
    // An outage is logged once by the connection's error listener; anything else here.
    if (!this.down) this.logger.error(`Redis session command failed: ${errorMessage(error)}`);
    return new StewardError(ErrorCode.Unavailable, SESSIONS_UNAVAILABLE);
  }
}

/** The record's defined fields as hash field/value pairs (see the encoding above). */
function encodeFields(record: object): string[] {
  return Object.entries(record).flatMap(([field, value]: [string, unknown]) =>
    value === undefined
      ? []
      : [field, value instanceof Date ? `d${value.getTime()}` : `j${JSON.stringify(value)}`],
  );
}

/** A session hash back as a record, every field revived by its type mark; undefined if gone. */
function decodeRecord(fields: Record<string, string>): SessionRecord | undefined {
  const entries = Object.entries(fields);
  if (entries.length === 0) return undefined;
  const record = Object.fromEntries(
    entries.map(([field, value]) => [
      field,
      value.startsWith('d')
        ? new Date(Number(value.slice(1)))
        : (JSON.parse(value.slice(1)) as unknown),
    ]),
  );
  return Object.assign(new SessionEntity(), record);
}
