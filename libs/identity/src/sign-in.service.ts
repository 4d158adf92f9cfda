import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditAction, AuditLog } from '@steward/audit';
import { Database } from '@steward/persistence';
import { Clock } from '@steward/platform';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';
import { passwordPolicyProblem } from './password-policy';
import { type ActiveSession, type OpenedSession, SessionService } from './session.service';
import type { SessionContext } from './session.service';
import { SignInError, SignInThrottledError } from './sign-in.errors';
import { UserError } from './user.errors';
import { UserRepository } from './user.repository';
import { isActiveUser, normaliseEmail } from './user.service';

export const PASSWORD_CHANGED = 'auth.password.changed';
export const SIGNED_OUT = 'auth.sign_out.succeeded';
export const SIGNED_OUT_EVERYWHERE = 'auth.sign_out.everywhere';

export interface SignInInput extends SessionContext {
  readonly email: string;
  readonly password: string;
}

/**
 * Signing in with email and password (what passport-local's verify callback would do; the
 * library is not installed, so the same check lives here): throttled per account and address,
 * the same work and answer whether or not the account exists, audited without the email.
 */
@Injectable()
export class SignInService {
  /** A hash of a random password at the configured cost, to verify against for unknown emails. */
  private dummyHash?: Promise<string>;

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditLog,
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async signIn(input: SignInInput): Promise<OpenedSession> {
    const email = normaliseEmail(input.email);
    const context = { ip: input.ip, userAgent: input.userAgent };
    const retryAfterMs = await this.throttle.retryAfterMs(email, input.ip);
    // Not audited: under attack every refused attempt would be one more audit entry.
    if (retryAfterMs > 0) {
      throw new SignInThrottledError(Math.ceil(retryAfterMs / 1000));
    }
    const user = await this.users.findByEmail(email);
    const stored = user?.passwordHash ?? null;
    const matches = await this.hasher.verify(input.password, stored ?? (await this.dummy()));
    if (!user || stored === null || !matches || !isActiveUser(user)) {
      await this.throttle.fail(email, input.ip);
      await this.recordFailure(user?.id, context);
      throw SignInError.unauthenticated();
    }
    await this.throttle.succeed(email);
    if (this.hasher.needsRehash(stored)) {
      await this.users.update(user.id, { passwordHash: await this.hasher.hash(input.password) });
    }
    return this.db.transaction(async () => {
      const opened = await this.sessions.open(user.id, context, user.passwordMustChange);
      await this.audit.record({
        actorType: 'user',
        actorId: user.id,
        action: AuditAction.signInSucceeded,
        targetType: 'user',
        targetId: user.id,
        ...context,
      });
      return opened;
    });
  }

  /**
   * Changes the signed-in user's password: the current one must match and the new one pass the
   * policy. Every session of the user ends, and a new one is opened for this client.
   */
  async changePassword(
    session: ActiveSession,
    currentPassword: string,
    newPassword: string,
    context: SessionContext,
  ): Promise<OpenedSession> {
    const user = await this.users.findById(session.user.id);
    if (!user?.passwordHash || !isActiveUser(user)) throw SignInError.unauthenticated();
    if (!(await this.hasher.verify(currentPassword, user.passwordHash))) {
      throw SignInError.wrongCurrentPassword();
    }
    const problem = passwordPolicyProblem(newPassword);
    if (problem) throw UserError.invalid('password', problem);
    if (newPassword === currentPassword) {
      throw UserError.invalid('password', 'must differ from the current password');
    }
    const passwordHash = await this.hasher.hash(newPassword);
    return this.db.transaction(async () => {
      await this.users.update(user.id, {
        passwordHash,
        passwordMustChange: false,
        updatedAt: this.clock.now(),
      });
      await this.sessions.revokeAllOfUser(user.id);
      const opened = await this.sessions.open(user.id, context, false);
      await this.audit.record({
        actorType: 'user',
        actorId: user.id,
        action: PASSWORD_CHANGED,
        targetType: 'user',
        targetId: user.id,
        ...context,
      });
      return opened;
    });
  }

  async signOut(session: ActiveSession, context: SessionContext): Promise<void> {
    await this.db.transaction(async () => {
      if (await this.sessions.revoke(session.id)) {
        await this.audit.record({
          actorType: 'user',
          actorId: session.user.id,
          action: SIGNED_OUT,
          targetType: 'user',
          targetId: session.user.id,
          ...context,
        });
      }
    });
  }

  async signOutEverywhere(session: ActiveSession, context: SessionContext): Promise<number> {
    return this.db.transaction(async () => {
      const ended = await this.sessions.revokeAllOfUser(session.user.id);
      await this.audit.record({
        actorType: 'user',
        actorId: session.user.id,
        action: SIGNED_OUT_EVERYWHERE,
        targetType: 'user',
        targetId: session.user.id,
        details: { sessions: ended },
        ...context,
      });
      return ended;
    });
  }

  /** Audited as anonymous; the user id only when the email belongs to a user, never the email. */
  private async recordFailure(userId: number | undefined, context: SessionContext): Promise<void> {
    await this.audit.record({
      actorType: 'anonymous',
      action: AuditAction.signInFailed,
      targetType: userId === undefined ? null : 'user',
      targetId: userId ?? null,
      ...context,
    });
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hasher.hash(randomBytes(24).toString('base64url'));
    return this.dummyHash;
  }
}
