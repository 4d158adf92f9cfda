import { Injectable } from '@nestjs/common';
import { AuditAction, AuditLog } from '@steward/audit';
import { Database } from '@steward/persistence';
import { Clock } from '@steward/platform';
import { ApiTokenService, type AuditActor } from './api-token.service';
import type { PageWindow } from './organization.service';
import { PasswordHasher } from './password-hasher';
import { PolicyService } from './policy.service';
import { SessionService } from './session.service';
import type { UserEntity, UserRole } from './user.entity';
import { UserError } from './user.errors';
import { UserIdentityRepository } from './user-identity.repository';
import { UserIdentityService, type UserActor } from './user-identity.service';
import { UserRepository } from './user.repository';
import {
  checkEmail,
  checkExternalId,
  generateOneTimePassword,
  normaliseEmail,
  USER_ROLES,
  UserService,
} from './user.service';

export const MAX_SEARCH_LENGTH = 255;

/** What a client may set on a user; on update, an absent field stays as it is. */
export interface UserInput {
  readonly name?: string;
  readonly email?: string;
  readonly role?: string;
  readonly externalId?: string | null;
}

export interface UserPage {
  readonly users: readonly UserEntity[];
  readonly count: number;
}

export interface UserUpsert {
  readonly user: UserEntity;
  readonly created: boolean;
}

export interface PasswordResetByAdmin {
  readonly user: UserEntity;
  readonly oneTimePassword: string;
  readonly sessionsEnded: number;
}

export interface DisabledUser {
  readonly user: UserEntity;
  readonly sessionsEnded: number;
  readonly tokensRevoked: number;
}

/**
 * Users as the API and the CLI manage them. Admins manage everyone; agents create and change
 * end-users; only admins change roles (audited as `role.changed`) or deactivate accounts.
 */
@Injectable()
export class UserAccountService {
  constructor(
    private readonly users: UserRepository,
    private readonly accounts: UserService,
    private readonly identities: UserIdentityService,
    private readonly identityRows: UserIdentityRepository,
    private readonly policy: PolicyService,
    private readonly sessions: SessionService,
    private readonly tokens: ApiTokenService,
    private readonly hasher: PasswordHasher,
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async list({ offset, perPage }: PageWindow, role?: string): Promise<UserPage> {
    const [users, count] = await this.users.page(
      offset,
      perPage,
      role === undefined ? undefined : checkRole(role),
    );
    return { users, count };
  }

  async show(id: number): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw UserError.notFound();
    return user;
  }

  /** Users whose email or name contains the text, matched literally (no wildcards). */
  async search(query: string | undefined, { offset, perPage }: PageWindow): Promise<UserPage> {
    const term = (query ?? '').trim();
    if (term.length === 0) throw UserError.invalid('query', 'cannot be blank');
    if (term.length > MAX_SEARCH_LENGTH) {
      throw UserError.invalid('query', `must be at most ${MAX_SEARCH_LENGTH} characters`);
    }
    const [users, count] = await this.users.search(term, offset, perPage);
    return { users, count };
  }

  /** Creates a user; an end-user unless a role is given (staff roles: admins only). */
  async create(input: UserInput, actor: UserActor): Promise<UserEntity> {
    const role = input.role === undefined ? 'end-user' : checkRole(input.role);
    if (input.email === undefined) throw UserError.invalid('email', 'cannot be blank');
    if (input.name !== undefined && input.name.trim() === '') {
      throw UserError.invalid('name', 'cannot be blank');
    }
    if (!this.policy.canEditUser(actor.user, { role })) {
      throw UserError.forbidden('only an administrator may create a staff member');
    }
    return this.db.transaction(async () => {
      const { user } = await this.accounts.createUser({
        email: input.email as string,
        name: input.name,
        role,
        externalId: input.externalId,
      });
      await this.record(actor.audit, AuditAction.userCreated, user.id, { role });
      return user;
    });
  }

  async update(id: number, input: UserInput, actor: UserActor): Promise<UserEntity> {
    const name = input.name === undefined ? undefined : checkName(input.name);
    const email = input.email === undefined ? undefined : checkEmail(input.email);
    const role = input.role === undefined ? undefined : checkRole(input.role);
    const externalId =
      input.externalId === undefined ? undefined : checkExternalId(input.externalId);
    await this.db.transaction(async () => {
      const user = await this.editable(id, actor);
      const now = this.clock.now();
      const fields: string[] = [];
      if (name !== undefined && name !== user.name) {
        await this.users.update(id, { name, updatedAt: now });
        fields.push('name');
      }
      if (externalId !== undefined && externalId !== (user.externalId ?? null)) {
        const taken = externalId === null ? null : await this.users.findByExternalId(externalId);
        if (taken && taken.id !== id)
          throw UserError.invalid('external_id', 'has already been taken');
        await this.users.update(id, { externalId, updatedAt: now });
        fields.push('external_id');
      }
      if (email !== undefined && email !== user.email) {
        const owner = await this.users.findByEmail(email);
        if (owner && owner.id !== id) throw UserError.emailTaken();
        await this.identities.setPrimaryEmail(user, email, now);
        fields.push('email');
      }
      if (role !== undefined && role !== user.role) {
        if (!this.policy.can(actor.user, 'users.manage')) {
          throw UserError.forbidden('only an administrator may change a role');
        }
        if (user.id === actor.user.id)
          throw UserError.invalid('role', 'cannot change your own role');
        await this.users.update(id, { role, updatedAt: now });
        await this.record(actor.audit, AuditAction.roleChanged, id, { from: user.role, to: role });
      }
      if (fields.length > 0)
        await this.record(actor.audit, AuditAction.userUpdated, id, { fields });
    });
    return this.show(id);
  }

  /** Creates the user, or updates the one with the same external id or email address. */
  async createOrUpdate(input: UserInput, actor: UserActor): Promise<UserUpsert> {
    const externalId = input.externalId === undefined ? null : checkExternalId(input.externalId);
    const email = input.email === undefined ? undefined : checkEmail(input.email);
    const existing =
      (externalId === null ? null : await this.users.findByExternalId(externalId)) ??
      (email === undefined ? null : await this.findByAnyEmail(email));
    if (existing) return { user: await this.update(existing.id, input, actor), created: false };
    return { user: await this.create(input, actor), created: true };
  }

  /** Zendesk's delete: the user can no longer sign in; the record stays (erasure is privacy's). */
  async deactivate(id: number, actor: UserActor): Promise<UserEntity> {
    if (id === actor.user.id) throw UserError.invalid('user', 'cannot delete yourself');
    const user = await this.editable(id, actor);
    await this.disableAccount(user, actor.audit);
    return this.show(id);
  }

  /** A new one-time password that must be changed at the next sign-in; ends every session. */
  async resetPassword(email: string, actor: AuditActor): Promise<PasswordResetByAdmin> {
    const user = await this.byEmail(email);
    const oneTimePassword = generateOneTimePassword();
    const passwordHash = await this.hasher.hash(oneTimePassword);
    const sessionsEnded = await this.db.transaction(async () => {
      await this.users.update(user.id, {
        passwordHash,
        passwordMustChange: true,
        updatedAt: this.clock.now(),
      });
      const ended = await this.sessions.revokeAllOfUser(user.id);
      await this.record(actor, AuditAction.userPasswordReset, user.id, { sessionsEnded: ended });
      return ended;
    });
    return { user: await this.show(user.id), oneTimePassword, sessionsEnded };
  }

  /** Deactivates the account found by email: no sign-in, no session, no API token. */
  async disable(email: string, actor: AuditActor): Promise<DisabledUser> {
    const user = await this.byEmail(email);
    const { sessionsEnded, tokensRevoked } = await this.disableAccount(user, actor);
    return { user: await this.show(user.id), sessionsEnded, tokensRevoked };
  }

  private async disableAccount(
    user: UserEntity,
    actor: AuditActor,
  ): Promise<{ sessionsEnded: number; tokensRevoked: number }> {
    const sessionsEnded = await this.db.transaction(async () => {
      await this.users.update(user.id, { active: false, updatedAt: this.clock.now() });
      const ended = await this.sessions.revokeAllOfUser(user.id);
      await this.record(actor, AuditAction.userDeactivated, user.id, { sessionsEnded: ended });
      return ended;
    });
    let tokensRevoked = 0;
    for (const token of await this.tokens.list(user.id)) {
      if (token.revokedAt === null && (await this.tokens.revoke(token.id, actor))) tokensRevoked++;
    }
    return { sessionsEnded, tokensRevoked };
  }

  private async byEmail(email: string): Promise<UserEntity> {
    const user = await this.findByAnyEmail(normaliseEmail(email));
    if (!user || user.erasedAt !== null) throw UserError.notFound();
    return user;
  }

  private async findByAnyEmail(email: string): Promise<UserEntity | null> {
    const user = await this.users.findByEmail(email);
    if (user) return user;
    const identity = await this.identityRows.findByValue('email', email);
    return identity ? this.users.findById(identity.userId) : null;
  }

  private async editable(id: number, actor: UserActor): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user || user.erasedAt !== null) throw UserError.notFound();
    if (!this.policy.canEditUser(actor.user, user)) {
      throw UserError.forbidden('only an administrator may change a staff member');
    }
    return user;
  }

  private async record(
    actor: AuditActor,
    action: string,
    userId: number,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record({ ...actor, action, targetType: 'user', targetId: userId, details });
  }
}

function checkRole(raw: string): UserRole {
  const role = USER_ROLES.find((candidate) => candidate === raw);
  if (!role) throw UserError.invalid('role', `must be one of ${USER_ROLES.join(', ')}`);
  return role;
}

function checkName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > 255 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw UserError.invalid('name', 'must be 1 to 255 characters, on one line');
  }
  return name;
}
