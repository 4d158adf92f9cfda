import { Injectable } from '@nestjs/common';
import { AuditAction, AuditLog } from '@steward/audit';
import { Database } from '@steward/persistence';
import { Clock } from '@steward/platform';
import type { AuditActor } from './api-token.service';
import { PolicyService } from './policy.service';
import type { UserEntity } from './user.entity';
import { UserError } from './user.errors';
import {
  USER_IDENTITY_TYPES,
  type UserIdentityEntity,
  type UserIdentityType,
} from './user-identity.entity';
import { UserIdentityRepository, type UserIdentityRow } from './user-identity.repository';
import { UserRepository } from './user.repository';
import { checkEmail } from './user.service';

/** Who is acting: the user (for the policy) and how the audit log names them. */
export interface UserActor {
  readonly user: Pick<UserEntity, 'id' | 'role' | 'active' | 'erasedAt'>;
  readonly audit: AuditActor;
}

/** What a client may send for an identity; on update, an absent field stays as it is. */
export interface UserIdentityInput {
  readonly type?: string;
  readonly value?: string;
  readonly verified?: boolean;
  readonly primary?: boolean;
}

/**
 * A user's identities (email addresses). The primary one is mirrored in `users.email`, which
 * sign-in and API tokens use; every change keeps the two in step in one transaction.
 */
@Injectable()
export class UserIdentityService {
  constructor(
    private readonly identities: UserIdentityRepository,
    private readonly users: UserRepository,
    private readonly policy: PolicyService,
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async list(userId: number): Promise<UserIdentityEntity[]> {
    await this.user(userId);
    return this.identities.listOfUser(userId);
  }

  /** The identity, only through the user it belongs to (any other user id: not found). */
  async show(userId: number, id: number): Promise<UserIdentityEntity> {
    const identity = await this.identities.findOfUser(userId, id);
    if (!identity) throw UserError.notFound();
    return identity;
  }

  async create(
    userId: number,
    input: UserIdentityInput,
    actor: UserActor,
  ): Promise<UserIdentityEntity> {
    const type = checkType(input.type);
    if (input.value === undefined) throw UserError.invalid('value', 'cannot be blank');
    const value = checkValue(input.value);
    const id = await this.db.transaction(async () => {
      const user = await this.editable(userId, actor);
      await this.checkValueFree(type, value);
      const now = this.clock.now();
      const first = (await this.identities.listOfUser(userId)).length === 0;
      const identity = await this.identities.insert({
        userId,
        type,
        value,
        primary: false,
        verified: input.verified ?? false,
        createdAt: now,
        updatedAt: now,
      });
      if (input.primary === true || first) await this.promote(user, identity.id, value, now);
      await this.record(actor, userId, { change: 'created', identityId: identity.id, type });
      return identity.id;
    });
    return this.show(userId, id);
  }

  async update(
    userId: number,
    id: number,
    input: UserIdentityInput,
    actor: UserActor,
  ): Promise<UserIdentityEntity> {
    const changes: { -readonly [K in keyof UserIdentityRow]?: UserIdentityRow[K] } = {};
    if (input.value !== undefined) changes.value = checkValue(input.value);
    if (input.verified !== undefined) changes.verified = input.verified;
    await this.db.transaction(async () => {
      const user = await this.editable(userId, actor);
      const identity = await this.show(userId, id);
      if (changes.value !== undefined && changes.value !== identity.value) {
        await this.checkValueFree(identity.type, changes.value);
        // A new address is not verified until someone says so.
        changes.verified ??= false;
      }
      const now = this.clock.now();
      await this.identities.update(id, { ...changes, updatedAt: now });
      if (identity.primary && changes.value !== undefined) {
        await this.users.update(user.id, { email: changes.value, updatedAt: now });
      }
      if (input.primary === true)
        await this.promote(user, id, changes.value ?? identity.value, now);
      const fields = Object.keys(changes);
      await this.record(actor, userId, { change: 'updated', identityId: id, fields });
    });
    return this.show(userId, id);
  }

  async verify(userId: number, id: number, actor: UserActor): Promise<UserIdentityEntity> {
    return this.update(userId, id, { verified: true }, actor);
  }

  /** Makes the identity the user's primary one, and its address the user's email. */
  async makePrimary(userId: number, id: number, actor: UserActor): Promise<UserIdentityEntity[]> {
    await this.db.transaction(async () => {
      const user = await this.editable(userId, actor);
      const identity = await this.show(userId, id);
      await this.promote(user, id, identity.value, this.clock.now());
      await this.record(actor, userId, { change: 'made_primary', identityId: id });
    });
    return this.identities.listOfUser(userId);
  }

  /** Deletes a secondary identity; the primary one stays until another is made primary. */
  async delete(userId: number, id: number, actor: UserActor): Promise<void> {
    await this.db.transaction(async () => {
      await this.editable(userId, actor);
      const identity = await this.show(userId, id);
      if (identity.primary) {
        throw UserError.invalid(
          'primary',
          'identity cannot be deleted: make another primary first',
        );
      }
      await this.identities.delete(id);
      await this.record(actor, userId, { change: 'deleted', identityId: id });
    });
  }

  /**
   * Makes the address the user's primary email (for a change of `email` on the user): an
   * identity of the user with that address becomes primary, or a new one is added.
   */
  async setPrimaryEmail(user: Pick<UserEntity, 'id'>, email: string, now: Date): Promise<void> {
    const existing = await this.identities.findByValue('email', email);
    if (existing && existing.userId !== user.id) throw UserError.emailTaken();
    const id =
      existing?.id ??
      (
        await this.identities.insert({
          userId: user.id,
          type: 'email',
          value: email,
          primary: false,
          verified: false,
          createdAt: now,
          updatedAt: now,
        })
      ).id;
    await this.promote(user, id, email, now);
  }

  private async promote(
    user: Pick<UserEntity, 'id'>,
    id: number,
    value: string,
    now: Date,
  ): Promise<void> {
    await this.identities.clearPrimaryExcept(user.id, id, now);
    await this.identities.update(id, { primary: true, updatedAt: now });
    await this.users.update(user.id, { email: value, updatedAt: now });
  }

  private async user(userId: number): Promise<UserEntity> {
    const user = await this.users.findById(userId);
    if (!user) throw UserError.notFound();
    return user;
  }

  /** The user, when the actor may change them: admins anyone, agents end-users only. */
  private async editable(userId: number, actor: UserActor): Promise<UserEntity> {
    const user = await this.user(userId);
    if (user.erasedAt !== null) throw UserError.notFound();
    if (!this.policy.canEditUser(actor.user, user)) {
      throw UserError.forbidden('only an administrator may change a staff member');
    }
    return user;
  }

  private async checkValueFree(type: UserIdentityType, value: string): Promise<void> {
    if (await this.identities.findByValue(type, value)) {
      throw UserError.invalid('value', 'Value has already been taken');
    }
  }

  private async record(
    actor: UserActor,
    userId: number,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record({
      ...actor.audit,
      action: AuditAction.userIdentityChanged,
      targetType: 'user',
      targetId: userId,
      details,
    });
  }
}

function checkType(raw: string | undefined): UserIdentityType {
  const type = raw ?? 'email';
  const known = USER_IDENTITY_TYPES.find((candidate) => candidate === type);
  if (!known) throw UserError.invalid('type', `must be one of ${USER_IDENTITY_TYPES.join(', ')}`);
  return known;
}

function checkValue(raw: string): string {
  try {
    return checkEmail(raw);
  } catch {
    throw UserError.invalid('value', 'is not an email address');
  }
}
