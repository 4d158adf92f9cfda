import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  Clock,
  STEWARD_CONFIG,
  STEWARD_SECRETS,
  type Secrets,
  type StewardConfig,
} from '@steward/platform';
import { SessionStore } from './session-store';
import type { SessionStep } from './session.entity';
import type { UserEntity } from './user.entity';
import { isActiveUser } from './user.service';

/** 32 random bytes in base64url: 256 bits (ASVS V3.2.2). */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** How long the sign-in history keeps a session after it expired: 90 days. */
export const SESSION_HISTORY_RETENTION_MS = 90 * 24 * 3_600_000;
/** last_seen_at is kept to this resolution: at most one UPDATE per session per minute. */
export const SESSION_SEEN_RESOLUTION_MS = 60_000;

export interface SessionContext {
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/** A session just opened: the token goes in the cookie once and is never stored or logged. */
export interface OpenedSession {
  readonly token: string;
  /** The double-submit CSRF token bound to this session. */
  readonly csrfToken: string;
  readonly userId: number;
  readonly expiresAt: Date;
  readonly mustChangePassword: boolean;
  /** The step the session owes before it is a full one; null when none. */
  readonly pendingStep: SessionStep | null;
}

/** A session a request authenticated with. `id` is the token's hash, never the token. */
export interface ActiveSession {
  readonly id: string;
  readonly user: Readonly<UserEntity>;
  readonly expiresAt: Date;
  readonly mustChangePassword: boolean;
  readonly pendingStep: SessionStep | null;
  /** When the user last proved their password (and second factor) in this session. */
  readonly authenticatedAt: Date | null;
}

export interface OpenOptions {
  /** A step the new session owes (it is then not authenticated yet for re-authentication). */
  readonly pendingStep?: SessionStep | null;
}

/** A session as a data subject's export shows it: never the token or its hash. */
export interface SessionSummary {
  readonly userId: number;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Server-side web sessions (ASVS V3): a new 256-bit token at every sign-in, stored as its
 * SHA-256, ended by sign-out, by an idle timeout and by an absolute timeout.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly sessions: SessionStore,
    private readonly clock: Clock,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
    @Inject(STEWARD_SECRETS) private readonly secrets: Secrets,
  ) {}

  /**
   * Opens a session for a user who has just proved their password (and second factor, unless
   * `pendingStep` says it is still owed).
   */
  async open(
    userId: number,
    context: SessionContext,
    mustChangePassword: boolean,
    { pendingStep = null }: OpenOptions = {},
  ): Promise<OpenedSession> {
    const token = randomBytes(32).toString('base64url');
    const id = hashSessionToken(token);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.config.session.absoluteTimeoutMs);
    // The user's sign-in history is pruned as it grows: a query on their own rows only.
    await this.sessions.deleteExpiredBefore(
      userId,
      new Date(now.getTime() - SESSION_HISTORY_RETENTION_MS),
    );
    await this.sessions.insert({
      id,
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      mustChangePassword,
      // Without its second factor the user has not fully authenticated yet.
      authenticatedAt: pendingStep === 'two_factor' ? null : now,
      pendingStep,
      ip: context.ip?.slice(0, 45) ?? null,
      userAgent: context.userAgent?.slice(0, 512) ?? null,
      revokedAt: null,
    });
    return {
      token,
      csrfToken: this.csrfToken(id),
      userId,
      expiresAt,
      mustChangePassword,
      pendingStep,
    };
  }

  /**
   * Replaces the session with a new one (new token, new CSRF token; ASVS V3.2.1) when its
   * privileges change: after the second factor, and after a required enrolment.
   */
  async rotate(
    session: ActiveSession,
    context: SessionContext,
    options: OpenOptions = {},
  ): Promise<OpenedSession> {
    await this.sessions.revoke(session.id, this.clock.now());
    return this.open(session.user.id, context, session.mustChangePassword, options);
  }

  /** Records that the user has just proved their password (and second factor) again; when. */
  async markAuthenticated(sessionId: string): Promise<Date> {
    const now = this.clock.now();
    await this.sessions.update(sessionId, { authenticatedAt: now });
    return now;
  }

  /** Makes the session owe a step again (its user removed a second factor the policy requires). */
  async requireStep(sessionId: string, step: SessionStep): Promise<void> {
    await this.sessions.update(sessionId, { pendingStep: step });
  }

  /** Did the user prove their password within the re-authentication window (ASVS V3.7.1)? */
  isRecentlyAuthenticated(session: ActiveSession): boolean {
    if (session.pendingStep !== null || session.authenticatedAt === null) return false;
    const elapsed = this.clock.now().getTime() - session.authenticatedAt.getTime();
    return elapsed >= 0 && elapsed < this.config.twoFactor.reauthenticationWindowMs;
  }

  /** The session of this token when it is valid now (not revoked, idle or expired); marks it seen. */
  async authenticate(token: string): Promise<ActiveSession | undefined> {
    if (!TOKEN_SHAPE.test(token)) return undefined;
    const found = await this.sessions.findActive(hashSessionToken(token));
    if (!found || !isActiveUser(found.user)) return undefined;
    const { session, user } = found;
    const now = this.clock.now().getTime();
    if (now >= session.expiresAt.getTime()) return undefined;
    if (now - session.lastSeenAt.getTime() >= this.config.session.idleTimeoutMs) return undefined;
    if (now - session.lastSeenAt.getTime() >= SESSION_SEEN_RESOLUTION_MS) {
      await this.sessions.touch(
        session.id,
        new Date(now),
        new Date(now - SESSION_SEEN_RESOLUTION_MS + 1),
      );
    }
    return {
      id: session.id,
      user: Object.freeze(user),
      expiresAt: session.expiresAt,
      mustChangePassword: session.mustChangePassword,
      // Sessions stored before these fields existed owe nothing and were never re-authenticated.
      pendingStep: session.pendingStep ?? null,
      authenticatedAt: session.authenticatedAt ?? null,
    };
  }

  /** The CSRF token of a session: an HMAC of its id with the installation's session secret. */
  csrfToken(sessionId: string): string {
    return createHmac('sha256', this.secrets.sessionSecret)
      .update(`csrf:${sessionId}`, 'utf8')
      .digest('base64url');
  }

  /** Does the request's CSRF token belong to this session (compared in constant time). */
  verifyCsrfToken(sessionId: string, given: string | undefined): boolean {
    if (given === undefined) return false;
    const expected = Buffer.from(this.csrfToken(sessionId), 'utf8');
    const actual = Buffer.from(given, 'utf8');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  async revoke(sessionId: string): Promise<boolean> {
    return this.sessions.revoke(sessionId, this.clock.now());
  }

  /** Ends every session of the user ("sign out everywhere"); returns how many. */
  async revokeAllOfUser(userId: number): Promise<number> {
    return this.sessions.revokeByUser(userId, this.clock.now());
  }

  async listForUsers(userIds: readonly number[]): Promise<SessionSummary[]> {
    return (await this.sessions.listByUsers(userIds)).map((row) => ({
      userId: row.userId,
      createdAt: row.createdAt,
      lastSeenAt: row.lastSeenAt,
      expiresAt: row.expiresAt,
      revokedAt: row.revokedAt,
      ip: row.ip,
      userAgent: row.userAgent,
    }));
  }

  deleteForUsers(userIds: readonly number[]): Promise<number> {
    return this.sessions.deleteByUsers(userIds);
  }
}
