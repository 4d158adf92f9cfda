import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditAction, AuditLog } from '@steward/audit';
import { Database } from '@steward/persistence';
import { Clock, Keyring, STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { generateSecret, generateURI, verify } from 'otplib';
import type { SessionStep } from './session.entity';
import {
  type ActiveSession,
  type OpenedSession,
  type SessionContext,
  SessionService,
} from './session.service';
import type { TwoFactorCredentialEntity } from './two-factor-credential.entity';
import { TwoFactorError } from './two-factor.errors';
import { TwoFactorRepository } from './two-factor.repository';
import { openTotpSecret, sealTotpSecret } from './two-factor-secret';
import type { UserEntity } from './user.entity';
import { UserError } from './user.errors';
import { UserRepository } from './user.repository';

export const TWO_FACTOR_ENROLMENT_STARTED = 'auth.two_factor.enrolment_started';
export const TWO_FACTOR_RECOVERY_CODES_REGENERATED = 'auth.two_factor.recovery_codes_regenerated';
export const TWO_FACTOR_SUCCEEDED = 'auth.two_factor.succeeded';
export const TWO_FACTOR_FAILED = 'auth.two_factor.failed';

/** How many recovery codes a user gets at a time. */
export const RECOVERY_CODE_COUNT = 10;
/** TOTP time step in seconds, as authenticator apps use it. */
const PERIOD_SECONDS = 30;
/** A code of the previous or the next time step is accepted too (clock drift). */
const TOLERANCE_SECONDS = PERIOD_SECONDS;
const TOTP_SHAPE = /^\d{6}$/;
/** 80 random bits in hex, written in groups of five: `1a2b3-c4d5e-6f7a8-b9c0d`. */
const RECOVERY_CODE_SHAPE = /^[0-9a-f]{20}$/;

/** How a second factor was proven. */
export type TwoFactorMethod = 'totp' | 'recovery_code';

export interface TwoFactorStatus {
  readonly enabled: boolean;
  readonly enabledAt: Date | null;
  /** An enrolment was started and not confirmed yet. */
  readonly pending: boolean;
  readonly recoveryCodesLeft: number;
}

/** A new secret, shown to the user once so they can add it to an authenticator app. */
export interface StartedEnrolment {
  readonly secret: string;
  /** `otpauth://totp/…`, for a QR code. */
  readonly uri: string;
}

export interface ConfirmedEnrolment {
  /** Shown once; only their hashes are stored. */
  readonly recoveryCodes: readonly string[];
  /** The new session when the old one owed this enrolment (it was rotated into a full one). */
  readonly session?: OpenedSession;
}

/** Who acts on a user's second factor: the user (in a session, or with a token) or an admin. */
export interface TwoFactorActor {
  readonly user: Pick<UserEntity, 'id'>;
  /** The web session the request came with; absent for API tokens. */
  readonly session?: ActiveSession;
  readonly context: SessionContext;
}

/** What a data subject's export shows of their second factor: never the secret or codes. */
export interface TwoFactorSummary {
  readonly userId: number;
  readonly enabled: boolean;
  readonly createdAt: Date;
  readonly enabledAt: Date | null;
  readonly recoveryCodesLeft: number;
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

/**
 * TOTP two-factor authentication (ASVS V2.8): enrolment with a secret stored encrypted and
 * confirmed by a first code; ten recovery codes stored hashed, each usable once; each TOTP time
 * step accepted once per user (replay); and the policy that says who must have it.
 */
@Injectable()
export class TwoFactorService {
  private readonly issuer: string;

  constructor(
    private readonly repository: TwoFactorRepository,
    private readonly users: UserRepository,
    private readonly sessions: SessionService,
    private readonly audit: AuditLog,
    private readonly db: Database,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {
    // The authenticator app shows it beside the account: "Steward (desk.example.com)".
    this.issuer = `Steward (${new URL(config.publicUrl).hostname})`;
  }

  /** Does the policy (STEWARD_TWO_FACTOR_REQUIRED) require this user to have a second factor? */
  isRequiredFor(user: Pick<UserEntity, 'role'>): boolean {
    switch (this.config.twoFactor.requiredFor) {
      case 'admins':
        return user.role === 'admin';
      case 'agents':
        return user.role !== 'end-user';
      case 'off':
        return false;
    }
  }

  /** The step a session opened with the user's password owes, if any. */
  async stepAfterPassword(user: Pick<UserEntity, 'id' | 'role'>): Promise<SessionStep | null> {
    if (await this.isEnabled(user.id)) return 'two_factor';
    return this.isRequiredFor(user) ? 'two_factor_enrolment' : null;
  }

  async isEnabled(userId: number): Promise<boolean> {
    return (await this.repository.findByUser(userId))?.enabledAt != null;
  }

  async status(userId: number): Promise<TwoFactorStatus> {
    const credential = await this.repository.findByUser(userId);
    const enabledAt = credential?.enabledAt ?? null;
    return {
      enabled: enabledAt !== null,
      enabledAt,
      pending: credential !== null && enabledAt === null,
      recoveryCodesLeft:
        enabledAt === null ? 0 : await this.repository.countUnusedRecoveryCodes(userId),
    };
  }

  /** Starts (or restarts) enrolment: a new secret, stored encrypted and pending. */
  async start(
    actor: TwoFactorActor,
    user: Pick<UserEntity, 'id' | 'email'>,
  ): Promise<StartedEnrolment> {
    const existing = await this.repository.findByUser(user.id);
    if (existing?.enabledAt != null) throw TwoFactorError.alreadyEnabled();
    const secret = generateSecret();
    const sealed = sealTotpSecret(this.keyring, user.id, secret);
    await this.db.transaction(async () => {
      await this.repository.replacePending({
        userId: user.id,
        secretCiphertext: sealed.ciphertext,
        kekId: sealed.kekId,
        lastTimeStep: null,
        createdAt: this.clock.now(),
        enabledAt: null,
      });
      await this.record(actor, TWO_FACTOR_ENROLMENT_STARTED, user.id);
    });
    const label = user.email ?? `user ${user.id}`;
    return { secret, uri: generateURI({ issuer: this.issuer, label, secret }) };
  }

  /**
   * Confirms enrolment with a first code from the authenticator: enables the second factor and
   * answers new recovery codes (once). A session that owed the enrolment is rotated into a full one.
   */
  async confirm(actor: TwoFactorActor, code: string): Promise<ConfirmedEnrolment> {
    const userId = actor.user.id;
    const credential = await this.repository.findByUser(userId);
    if (!credential) throw TwoFactorError.notStarted();
    if (credential.enabledAt !== null) throw TwoFactorError.alreadyEnabled();
    if (!(await this.acceptTotp(credential, code))) throw TwoFactorError.invalidCode();
    const recoveryCodes = newRecoveryCodes();
    const now = this.clock.now();
    await this.db.transaction(async () => {
      await this.repository.enable(credential.id, now);
      await this.repository.replaceRecoveryCodes(userId, recoveryCodes.map(hashRecoveryCode), now);
      await this.record(actor, AuditAction.twoFactorEnabled, userId);
    });
    const session =
      actor.session?.pendingStep === 'two_factor_enrolment'
        ? await this.sessions.rotate(actor.session, actor.context)
        : undefined;
    return { recoveryCodes: recoveryCodes.map(formatRecoveryCode), session };
  }

  /** New recovery codes (once); the old ones stop working. */
  async regenerateRecoveryCodes(actor: TwoFactorActor): Promise<readonly string[]> {
    const userId = actor.user.id;
    if (!(await this.isEnabled(userId))) throw TwoFactorError.notEnabled();
    const recoveryCodes = newRecoveryCodes();
    await this.db.transaction(async () => {
      await this.repository.replaceRecoveryCodes(
        userId,
        recoveryCodes.map(hashRecoveryCode),
        this.clock.now(),
      );
      await this.record(actor, TWO_FACTOR_RECOVERY_CODES_REGENERATED, userId);
    });
    return recoveryCodes.map(formatRecoveryCode);
  }

  /**
   * Removes the user's second factor (enabled or pending). When the policy requires one, the
   * session the user removed it from may from then on only enrol again.
   */
  async remove(actor: TwoFactorActor, user: Pick<UserEntity, 'id' | 'role'>): Promise<void> {
    const removed = await this.db.transaction(async () => {
      const deleted = await this.repository.deleteByUsers([user.id]);
      if (deleted.credentials === 0) return false;
      await this.record(actor, AuditAction.twoFactorDisabled, user.id, {
        by: actor.user.id === user.id ? 'self' : 'admin',
      });
      return true;
    });
    if (!removed) throw TwoFactorError.notEnabled();
    if (actor.session && actor.user.id === user.id && this.isRequiredFor(user)) {
      await this.sessions.requireStep(actor.session.id, 'two_factor_enrolment');
    }
  }

  /** An admin removes another user's second factor (a lost phone); audited with the admin as actor. */
  async resetByAdmin(actor: TwoFactorActor, userId: number): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user || user.erasedAt !== null) throw UserError.notFound();
    await this.remove(actor, user);
  }

  /**
   * Checks a second-factor code of a user with two-factor enabled: a TOTP code (each time step
   * once) or an unused recovery code (which is then used up). Audits nothing; callers do.
   */
  async verify(userId: number, code: string): Promise<TwoFactorMethod | undefined> {
    const credential = await this.repository.findByUser(userId);
    if (credential?.enabledAt == null) return undefined;
    const compact = code.replace(/[\s-]/g, '').toLowerCase();
    if (TOTP_SHAPE.test(compact)) {
      return (await this.acceptTotp(credential, compact)) ? 'totp' : undefined;
    }
    if (!RECOVERY_CODE_SHAPE.test(compact)) return undefined;
    const used = await this.repository.useRecoveryCode(
      userId,
      hashRecoveryCode(compact),
      this.clock.now(),
    );
    return used ? 'recovery_code' : undefined;
  }

  async listForUsers(userIds: readonly number[]): Promise<TwoFactorSummary[]> {
    const codes = await this.repository.listRecoveryCodesByUsers(userIds);
    return (await this.repository.listByUsers(userIds)).map((row) => ({
      userId: row.userId,
      enabled: row.enabledAt !== null,
      createdAt: row.createdAt,
      enabledAt: row.enabledAt,
      recoveryCodesLeft: codes.filter((c) => c.userId === row.userId && c.usedAt === null).length,
    }));
  }

  /** Rows the users' second factor is stored in (credentials and recovery codes). */
  async countForUsers(userIds: readonly number[]): Promise<number> {
    const credentials = await this.repository.listByUsers(userIds);
    const codes = await this.repository.listRecoveryCodesByUsers(userIds);
    return credentials.length + codes.length;
  }

  async deleteForUsers(userIds: readonly number[]): Promise<number> {
    const deleted = await this.repository.deleteByUsers(userIds);
    return deleted.credentials + deleted.recoveryCodes;
  }

  /** A TOTP code of this or an adjacent time step, later than the last accepted one. */
  private async acceptTotp(credential: TwoFactorCredentialEntity, code: string): Promise<boolean> {
    const token = code.replace(/\s/g, '');
    if (!TOTP_SHAPE.test(token)) return false;
    const secret = openTotpSecret(this.keyring, credential.userId, {
      kekId: credential.kekId,
      ciphertext: credential.secretCiphertext,
    });
    if (secret === undefined) throw TwoFactorError.unreadable();
    const result = await verify({
      secret,
      token,
      period: PERIOD_SECONDS,
      epoch: Math.floor(this.clock.now().getTime() / 1000),
      epochTolerance: TOLERANCE_SECONDS,
      afterTimeStep: credential.lastTimeStep ?? undefined,
    });
    // The union also covers HOTP results, which carry no time step.
    if (!result.valid || !('timeStep' in result)) return false;
    return this.repository.claimTimeStep(credential.id, result.timeStep);
  }

  private async record(
    actor: TwoFactorActor,
    action: string,
    userId: number,
    details?: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record({
      actorType: 'user',
      actorId: actor.user.id,
      action,
      targetType: 'user',
      targetId: userId,
      details,
      ...actor.context,
    });
  }
}

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => randomBytes(10).toString('hex'));
}

function formatRecoveryCode(code: string): string {
  return code.match(/.{5}/g)?.join('-') ?? code;
}
