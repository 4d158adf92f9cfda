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
import {
  TWO_FACTOR_FAILED,
  TWO_FACTOR_SUCCEEDED,
  type TwoFactorMethod,
  TwoFactorService,
} from './two-factor.service';
import { TwoFactorError } from './two-factor.errors';
import type { UserEntity } from './user.entity';
import { UserError } from './user.errors';
import { UserRepository } from './user.repository';
import { isActiveUser, normaliseEmail } from './user.service';

export const PASSWORD_CHANGED = 'auth.password.changed';
export const SIGNED_OUT = 'auth.sign_out.succeeded';
export const SIGNED_OUT_EVERYWHERE = 'auth.sign_out.everywhere';
export const REAUTHENTICATED = 'auth.reauthentication.succeeded';
export const REAUTHENTICATION_FAILED = 'auth.reauthentication.failed';

export interface SignInInput extends SessionContext {
  readonly email: string;
  readonly password: string;
}

/**
 * Signing in with email and password (what passport-local's verify callback would do; the
 * library is not installed, so the same check lives here): throttled per account and address,
 * the same work and answer whether or not the account exists, audited without the email.
 * A user with two-factor then owes a code (`completeTwoFactor`), and one whom the policy
 * requires to have it and who has none owes its enrolment; until then the session is limited.
 */
@Injectable()
export class SignInService {
  /** A hash of a random password at the configured cost, to verify against for unknown emails. */
  private dummyHash?: Promise<string>;

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly twoFactor: TwoFactorService,
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
    // Asked only once the password matched, so the answer says nothing more before that.
    const pendingStep = await this.twoFactor.stepAfterPassword(user);
    // With a second factor still owed the failures stay counted, so that signing in again
    // with the password does not give a code-guesser a fresh allowance.
    if (pendingStep !== 'two_factor') await this.throttle.succeed(email);
    if (this.hasher.needsRehash(stored)) {
      await this.users.update(user.id, { passwordHash: await this.hasher.hash(input.password) });
    }
    return this.db.transaction(async () => {
      const opened = await this.sessions.open(user.id, context, user.passwordMustChange, {
        pendingStep,
      });
      await this.audit.record({
        actorType: 'user',
        actorId: user.id,
        action: AuditAction.signInSucceeded,
        targetType: 'user',
        targetId: user.id,
        details: pendingStep === null ? undefined : { pending_step: pendingStep },
        ...context,
      });
      return opened;
    });
  }

  /**
   * The second step of signing in: a TOTP code or a recovery code. Wrong codes count toward
   * the same throttle as wrong passwords; the right one replaces the session with a full one.
   */
  async completeTwoFactor(
    session: ActiveSession,
    code: string,
    context: SessionContext,
  ): Promise<OpenedSession> {
    if (session.pendingStep !== 'two_factor') throw TwoFactorError.nothingPending();
    const method = await this.checkSecondFactor(session.user, code, context);
    if (method === undefined) {
      await this.recordStepFailure(session.user.id, context, TWO_FACTOR_FAILED);
      throw TwoFactorError.invalidCode();
    }
    return this.db.transaction(async () => {
      const opened = await this.sessions.rotate(session, context);
      await this.audit.record({
        actorType: 'user',
        actorId: session.user.id,
        action: TWO_FACTOR_SUCCEEDED,
        targetType: 'user',
        targetId: session.user.id,
        details: { method },
        ...context,
      });
      return opened;
    });
  }

  /**
   * Re-authentication before a sensitive action (ASVS V3.7.1): the password again, and a
   * second-factor code when the user has one. Throttled like signing in.
   */
  async reauthenticate(
    session: ActiveSession,
    password: string,
    code: string | undefined,
    context: SessionContext,
  ): Promise<Date> {
    const user = await this.users.findById(session.user.id);
    if (!user?.passwordHash || !isActiveUser(user)) throw SignInError.unauthenticated();
    const twoFactor = await this.twoFactor.isEnabled(user.id);
    if (twoFactor && code === undefined) throw SignInError.missing('code');
    const key = throttleKey(user);
    const retryAfterMs = await this.throttle.retryAfterMs(key, context.ip);
    if (retryAfterMs > 0) throw new SignInThrottledError(Math.ceil(retryAfterMs / 1000));
    const passwordMatches = await this.hasher.verify(password, user.passwordHash);
    // The code is checked only after the password, so a wrong password uses up no code.
    const method =
      passwordMatches && twoFactor && code !== undefined
        ? await this.twoFactor.verify(user.id, code)
        : undefined;
    if (!passwordMatches || (twoFactor && method === undefined)) {
      await this.throttle.fail(key, context.ip);
      await this.recordStepFailure(user.id, context, REAUTHENTICATION_FAILED);
      throw SignInError.reauthenticationFailed();
    }
    await this.throttle.succeed(key);
    return this.db.transaction(async () => {
      const at = await this.sessions.markAuthenticated(session.id);
      await this.audit.record({
        actorType: 'user',
        actorId: user.id,
        action: REAUTHENTICATED,
        targetType: 'user',
        targetId: user.id,
        details: method === undefined ? undefined : { method },
        ...context,
      });
      return at;
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
      // A required enrolment still owed stays owed; a second factor was proven already.
      const pendingStep =
        session.pendingStep === 'two_factor_enrolment' ? session.pendingStep : null;
      const opened = await this.sessions.open(user.id, context, false, { pendingStep });
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

  /** The second factor of a signed-in user, throttled per account and address like passwords. */
  private async checkSecondFactor(
    user: Readonly<UserEntity>,
    code: string,
    context: SessionContext,
  ): Promise<TwoFactorMethod | undefined> {
    const key = throttleKey(user);
    const retryAfterMs = await this.throttle.retryAfterMs(key, context.ip);
    if (retryAfterMs > 0) throw new SignInThrottledError(Math.ceil(retryAfterMs / 1000));
    const method = await this.twoFactor.verify(user.id, code);
    if (method === undefined) await this.throttle.fail(key, context.ip);
    else await this.throttle.succeed(key);
    return method;
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

  /** A failed second factor or re-authentication: the session's user is the actor. */
  private async recordStepFailure(
    userId: number,
    context: SessionContext,
    action: string,
  ): Promise<void> {
    await this.audit.record({
      actorType: 'user',
      actorId: userId,
      action,
      targetType: 'user',
      targetId: userId,
      ...context,
    });
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hasher.hash(randomBytes(24).toString('base64url'));
    return this.dummyHash;
  }
}

/** The throttle's account key: the normalised email, as the sign-in form counts it. */
function throttleKey(user: Pick<UserEntity, 'id' | 'email'>): string {
  return user.email === null ? `user:${user.id}` : normaliseEmail(user.email);
}
