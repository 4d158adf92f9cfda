import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditLog } from '@steward/audit';
import { Database } from '@steward/persistence';
import { Clock, ErrorCode, StewardError } from '@steward/platform';
import { PasswordHasher } from './password-hasher';
import { passwordPolicyProblem } from './password-policy';
import { PasswordResetRepository } from './password-reset.repository';
import { PasswordResetThrottle } from './password-reset-throttle';
import type { SessionContext } from './session.service';
import { SessionService } from './session.service';
import { UserError } from './user.errors';
import { UserRepository } from './user.repository';
import { isActiveUser, normaliseEmail } from './user.service';

/** How long a reset token works. */
export const PASSWORD_RESET_TTL_MS = 60 * 60_000;
export const PASSWORD_RESET_REQUESTED = 'auth.password_reset.requested';
export const PASSWORD_RESET_COMPLETED = 'auth.password_reset.completed';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

function hashResetToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What a reset token's summary shows in a data subject's export: never the token or its hash. */
export interface PasswordResetSummary {
  readonly userId: number;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
}

/**
 * Password reset (ASVS V2.5): a one-time token, stored hashed, valid for an hour. Asking never
 * reveals whether the account exists, and is throttled per email and per IP address (see
 * PasswordResetThrottle); using it sets the password and ends every session.
 */
@Injectable()
export class PasswordResetService {
  constructor(
    private readonly resets: PasswordResetRepository,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly audit: AuditLog,
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly throttle: PasswordResetThrottle,
  ) {}

  /**
   * Creates a reset token when the email belongs to an active user and the request is within
   * the throttle's limits, and returns it (for the mail that will carry it; never log it);
   * undefined otherwise. Callers answer the same either way. A request over the limits is
   * neither sent nor audited: one entry per request would let anyone flood the audit log.
   */
  async request(email: string, context: SessionContext): Promise<string | undefined> {
    const address = normaliseEmail(email);
    if (!(await this.throttle.admit(address, context.ip))) return undefined;
    const user = await this.users.findByEmail(address);
    if (!user || !isActiveUser(user)) return undefined;
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.db.transaction(async () => {
      await this.resets.insert({
        userId: user.id,
        tokenHash: hashResetToken(token),
        createdAt: now,
        expiresAt: new Date(now.getTime() + PASSWORD_RESET_TTL_MS),
        usedAt: null,
      });
      await this.audit.record({
        actorType: 'anonymous',
        action: PASSWORD_RESET_REQUESTED,
        targetType: 'user',
        targetId: user.id,
        ...context,
      });
    });
    return token;
  }

  /** Sets the new password with a valid token: once, within the hour; ends every session. */
  async confirm(token: string, password: string, context: SessionContext): Promise<void> {
    const found = TOKEN_SHAPE.test(token)
      ? await this.resets.findUsable(hashResetToken(token), this.clock.now())
      : null;
    if (!found) throw invalidToken();
    const problem = passwordPolicyProblem(password);
    if (problem) throw UserError.invalid('password', problem);
    const passwordHash = await this.hasher.hash(password);
    await this.db.transaction(async () => {
      const now = this.clock.now();
      if (!(await this.resets.useAll(found.userId, found.id, now))) throw invalidToken();
      await this.users.update(found.userId, {
        passwordHash,
        passwordMustChange: false,
        updatedAt: now,
      });
      await this.sessions.revokeAllOfUser(found.userId);
      await this.audit.record({
        actorType: 'anonymous',
        action: PASSWORD_RESET_COMPLETED,
        targetType: 'user',
        targetId: found.userId,
        ...context,
      });
    });
  }

  async listForUsers(userIds: readonly number[]): Promise<PasswordResetSummary[]> {
    return (await this.resets.listByUsers(userIds)).map((row) => ({
      userId: row.userId,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      usedAt: row.usedAt,
    }));
  }

  deleteForUsers(userIds: readonly number[]): Promise<number> {
    return this.resets.deleteByUsers(userIds);
  }
}

function invalidToken(): StewardError {
  return new StewardError(ErrorCode.Invalid, 'token is invalid or has expired', {
    token: ['is invalid or has expired'],
  });
}
