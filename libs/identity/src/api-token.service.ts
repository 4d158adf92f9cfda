import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditAction, AuditLog, type RecordAuditEntry } from '@steward/audit';
import { Database } from '@steward/persistence';
import { Clock, CONTROL_CHARACTERS, LINE_BREAKS } from '@steward/platform';
import type { ApiTokenEntity } from './api-token.entity';
import { ApiTokenError, MAX_TOKEN_NAME_LENGTH } from './api-token.errors';
import { ApiTokenRepository } from './api-token.repository';
import type { UserEntity } from './user.entity';
import { UserRepository } from './user.repository';
import { isActiveUser, normaliseEmail } from './user.service';

/** Every Steward API token starts with this, so that secret scanners can recognise one. */
export const API_TOKEN_PREFIX = 'stw_';
/** `stw_` and 32 random bytes in base64url (43 characters): 256 bits. */
const TOKEN_SHAPE = /^stw_[A-Za-z0-9_-]{43}$/;
/** Control characters, and the bidirectional overrides that make a name print as another. */

/** last_used_at is kept to this resolution: at most one UPDATE per token per minute. */
export const LAST_USED_RESOLUTION_MS = 60_000;
/**
 * How long this process trusts a validated token without asking the database again. A
 * revocation or erasure made in this process takes effect at once; one made by another process
 * (the CLI, another server) is seen here within this delay.
 */
export const TOKEN_CACHE_TTL_MS = 10_000;
const CACHE_LIMIT = 10_000;

export interface CreatedApiToken {
  readonly id: number;
  /** The token itself: show it once, never store or log it. */
  readonly token: string;
}

/** A token as it may be listed: never the token or its hash. */
export interface ApiTokenSummary {
  readonly id: number;
  readonly userId: number;
  readonly name: string;
  /** The token's last 4 characters. */
  readonly hint: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

interface ValidatedToken {
  readonly tokenId: number;
  readonly user: Readonly<UserEntity>;
  readonly expiresAt: number;
  /** Epoch ms of the last use written to the database (by any process), or null. */
  lastUsedAt: number | null;
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function summary(row: ApiTokenEntity): ApiTokenSummary {
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    hint: row.hint,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

/**
 * API tokens: created for a user and shown once, stored as SHA-256 hashes, revocable. The
 * lookup is one indexed SELECT (token hash joined to the user), and a validated token is kept
 * in memory for TOKEN_CACHE_TTL_MS so that a busy client costs no query per request.
 */
/** Who did it, for the audit log: a user, or the system (the steward command, a job). */
export type AuditActor = Pick<RecordAuditEntry, 'actorType' | 'actorId'>;

export const SYSTEM_ACTOR: AuditActor = { actorType: 'system', actorId: null };

@Injectable()
export class ApiTokenService {
  private readonly validated = new Map<string, ValidatedToken>();
  private readonly loading = new Map<string, Promise<ValidatedToken | undefined>>();
  /** Bumped by every revocation, so that a lookup begun before it is not cached after it. */
  private generation = 0;

  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly users: UserRepository,
    private readonly clock: Clock,
    private readonly db: Database,
    private readonly audit: AuditLog,
  ) {}

  /** Creates a token for the user; the change and its audit entry commit together. */
  async create(
    userId: number,
    name: string,
    actor: AuditActor = SYSTEM_ACTOR,
  ): Promise<CreatedApiToken> {
    const cleanName = name.trim();
    const length = [...cleanName].length;
    if (
      length === 0 ||
      length > MAX_TOKEN_NAME_LENGTH ||
      CONTROL_CHARACTERS.test(cleanName) ||
      LINE_BREAKS.test(cleanName)
    ) {
      throw ApiTokenError.invalidName();
    }
    const user = await this.users.findById(userId);
    if (!user || !isActiveUser(user)) throw ApiTokenError.userNotFound();
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const row = await this.db.transaction(async () => {
      const inserted = await this.tokens.insert({
        userId,
        name: cleanName,
        tokenHash: hashApiToken(token),
        hint: token.slice(-4),
        createdAt: this.clock.now(),
        lastUsedAt: null,
        revokedAt: null,
      });
      await this.audit.record({
        ...actor,
        action: AuditAction.tokenCreated,
        targetType: 'api_token',
        targetId: inserted.id,
        details: { userId },
      });
      return inserted;
    });
    return { id: row.id, token };
  }

  /** The active user a token belongs to, or undefined (unknown, revoked, user inactive). */
  async authenticate(token: string): Promise<Readonly<UserEntity> | undefined> {
    const found = await this.validate(token);
    if (!found) return undefined;
    await this.recordUse(found);
    return found.user;
  }

  /** The Zendesk form `email/token:TOKEN`: the token must belong to that email's user. */
  async authenticateBasic(email: string, token: string): Promise<Readonly<UserEntity> | undefined> {
    const found = await this.validate(token);
    if (!found || found.user.email === null || found.user.email !== normaliseEmail(email)) {
      return undefined;
    }
    await this.recordUse(found);
    return found.user;
  }

  /** Revokes a token; false when it was revoked already. Audited with the change. */
  async revoke(id: number, actor: AuditActor = SYSTEM_ACTOR): Promise<boolean> {
    const row = await this.tokens.findById(id);
    if (!row) throw ApiTokenError.notFound();
    const changed = await this.db.transaction(async () => {
      const revoked = await this.tokens.revoke(id, this.clock.now());
      if (revoked) {
        await this.audit.record({
          ...actor,
          action: AuditAction.tokenRevoked,
          targetType: 'api_token',
          targetId: id,
          details: { userId: row.userId },
        });
      }
      return revoked;
    });
    this.forget((entry) => entry.tokenId === id);
    return changed;
  }

  async list(userId: number): Promise<ApiTokenSummary[]> {
    return (await this.tokens.listByUsers([userId])).map(summary);
  }

  /** Every token of these users, revoked ones included (for a data subject's export). */
  async listForUsers(userIds: readonly number[]): Promise<ApiTokenSummary[]> {
    return (await this.tokens.listByUsers(userIds)).map(summary);
  }

  /** Deletes every token of these users (erasure); returns how many. */
  async deleteForUsers(userIds: readonly number[]): Promise<number> {
    const deleted = await this.tokens.deleteByUsers(userIds);
    const ids = new Set(userIds);
    this.forget((entry) => ids.has(entry.user.id));
    return deleted;
  }

  private async validate(token: string): Promise<ValidatedToken | undefined> {
    if (!TOKEN_SHAPE.test(token)) return undefined;
    const hash = hashApiToken(token);
    const cached = this.validated.get(hash);
    if (cached && cached.expiresAt > this.clock.now().getTime()) return cached;
    let pending = this.loading.get(hash);
    if (!pending) {
      pending = this.load(hash).finally(() => this.loading.delete(hash));
      this.loading.set(hash, pending);
    }
    return pending;
  }

  private async load(hash: string): Promise<ValidatedToken | undefined> {
    const generation = this.generation;
    this.validated.delete(hash);
    const found = await this.tokens.findActiveByHash(hash);
    if (!found || !isActiveUser(found.user)) return undefined;
    const entry: ValidatedToken = {
      tokenId: found.token.id,
      user: Object.freeze(found.user),
      expiresAt: this.clock.now().getTime() + TOKEN_CACHE_TTL_MS,
      lastUsedAt: found.token.lastUsedAt?.getTime() ?? null,
    };
    if (generation === this.generation) this.remember(hash, entry);
    return entry;
  }

  private remember(hash: string, entry: ValidatedToken): void {
    if (this.validated.size >= CACHE_LIMIT) {
      const now = this.clock.now().getTime();
      for (const [key, value] of this.validated)
        if (value.expiresAt <= now) this.validated.delete(key);
      // Still full: drop the oldest entry (a Map iterates in insertion order).
      const oldest = this.validated.keys().next();
      if (this.validated.size >= CACHE_LIMIT && !oldest.done) this.validated.delete(oldest.value);
    }
    this.validated.set(hash, entry);
  }

  private forget(matches: (entry: ValidatedToken) => boolean): void {
    this.generation += 1;
    this.loading.clear();
    for (const [key, value] of this.validated) if (matches(value)) this.validated.delete(key);
  }

  private async recordUse(entry: ValidatedToken): Promise<void> {
    const now = this.clock.now();
    if (entry.lastUsedAt !== null && now.getTime() - entry.lastUsedAt < LAST_USED_RESOLUTION_MS) {
      return;
    }
    // Set first, so that concurrent requests with this token do not all write.
    entry.lastUsedAt = now.getTime();
    await this.tokens.touch(
      entry.tokenId,
      now,
      new Date(now.getTime() - LAST_USED_RESOLUTION_MS + 1),
    );
  }
}
