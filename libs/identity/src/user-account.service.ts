import { Injectable } from '@nestjs/common';
import { AuditAction, AuditLog } from '@steward/audit';
import { Database } from '@steward/persistence';
import { Clock, requiredLine } from '@steward/platform';
import { ApiTokenService, type AuditActor } from './api-token.service';
import { CustomRoleRepository } from './custom-role.repository';
import { GroupMembershipRepository } from './group-membership.repository';
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
  checkLocale,
  checkPhone,
  checkTimeZone,
  generateOneTimePassword,
  normaliseEmail,
  ROLE_TYPES,
  USER_ROLES,
  UserService,
  wireRole,
  type WireRole,
} from './user.service';

export const MAX_SEARCH_LENGTH = 255;
/** `users.name` is a varchar(255). */
const MAX_USER_NAME_LENGTH = 255;

/** What a client may set on a user; on update, an absent field stays as it is. */
export interface UserInput {
  readonly name?: string;
  readonly email?: string;
  /** Zendesk's `role`: end-user, agent or admin. */
  readonly role?: string;
  /** Zendesk's `role_type`: null (agent), 0 (custom role), 1 (light agent), 4 (admin). */
  readonly roleType?: number | null;
  readonly customRoleId?: number | null;
  readonly externalId?: string | null;
  readonly phone?: string | null;
  readonly locale?: string;
  readonly timeZone?: string;
}

/** A role as stored: the role, and an agent's custom role. */
interface RoleChoice {
  readonly role: UserRole;
  readonly customRoleId: number | null;
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
    private readonly customRoles: CustomRoleRepository,
    private readonly memberships: GroupMembershipRepository,
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
    // Zendesk's `role=agent` lists light agents and custom-role agents too.
    const wire = role === undefined ? undefined : checkRole(role);
    const roles: UserRole[] | undefined =
      wire === undefined ? undefined : wire === 'agent' ? ['agent', 'light-agent'] : [wire];
    const [users, count] = await this.users.page(offset, perPage, roles);
    return { users, count };
  }

  /**
   * Each user's default group (the membership marked default), for `default_group_id`.
   * End-users belong to no group, so `/users/me` of an end-user costs no query.
   */
  defaultGroupIds(users: readonly Pick<UserEntity, 'id' | 'role'>[]): Promise<Map<number, number>> {
    const staff = users.filter((user) => user.role !== 'end-user');
    return this.users.defaultGroupIds(staff.map((user) => user.id));
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
    const { role, customRoleId } = chooseRole(input, undefined) ?? {
      role: 'end-user',
      customRoleId: null,
    };
    if (input.email === undefined) throw UserError.invalid('email', 'cannot be blank');
    if (input.name !== undefined && input.name.trim() === '') {
      throw UserError.invalid('name', 'cannot be blank');
    }
    if (!this.policy.canEditUser(actor.user, { role })) {
      throw UserError.forbidden('only an administrator may create a staff member');
    }
    return this.db.transaction(async () => {
      await this.checkCustomRole(customRoleId);
      const { user } = await this.accounts.createUser({
        email: input.email as string,
        name: input.name,
        role,
        customRoleId,
        externalId: input.externalId,
        phone: input.phone,
        locale: input.locale,
        timeZone: input.timeZone,
      });
      await this.record(actor.audit, AuditAction.userCreated, user.id, {
        role,
        ...(customRoleId === null ? {} : { customRoleId }),
      });
      return user;
    });
  }

  async update(id: number, input: UserInput, actor: UserActor): Promise<UserEntity> {
    const name = input.name === undefined ? undefined : checkName(input.name);
    const email = input.email === undefined ? undefined : checkEmail(input.email);
    const externalId =
      input.externalId === undefined ? undefined : checkExternalId(input.externalId);
    const profile = profileChanges(input);
    await this.db.transaction(async () => {
      const user = await this.editable(id, actor);
      const current: RoleChoice = { role: user.role, customRoleId: user.customRoleId ?? null };
      const wanted = chooseRole(input, current);
      const now = this.clock.now();
      const fields: string[] = [];
      if (name !== undefined && name !== user.name) {
        await this.users.update(id, { name, updatedAt: now });
        fields.push('name');
      }
      for (const [field, column] of PROFILE_FIELDS) {
        const value = profile[column];
        if (value === undefined || value === user[column]) continue;
        await this.users.update(id, { [column]: value, updatedAt: now });
        fields.push(field);
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
      if (
        wanted !== undefined &&
        (wanted.role !== current.role || wanted.customRoleId !== current.customRoleId)
      ) {
        if (!this.policy.can(actor.user, 'users.manage')) {
          throw UserError.forbidden('only an administrator may change a role');
        }
        if (user.id === actor.user.id)
          throw UserError.invalid('role', 'cannot change your own role');
        await this.checkCustomRole(wanted.customRoleId);
        await this.users.update(id, { ...wanted, updatedAt: now });
        const customRoles =
          current.customRoleId === null && wanted.customRoleId === null
            ? {}
            : { fromCustomRoleId: current.customRoleId, toCustomRoleId: wanted.customRoleId };
        // As in Zendesk, an end-user belongs to no group: a former agent leaves them all.
        const left = wanted.role === 'end-user' ? await this.memberships.deleteOfUsers([id]) : 0;
        await this.record(actor.audit, AuditAction.roleChanged, id, {
          from: current.role,
          to: wanted.role,
          ...customRoles,
          ...(left > 0 ? { groupMembershipsRemoved: left } : {}),
        });
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

  private async checkCustomRole(id: number | null): Promise<void> {
    if (id !== null && !(await this.customRoles.findById(id))) {
      throw UserError.invalid('custom_role_id', 'is not a custom role');
    }
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

function checkRole(raw: string): WireRole {
  const role = USER_ROLES.find((candidate) => candidate === raw);
  if (!role) throw UserError.invalid('role', `must be one of ${USER_ROLES.join(', ')}`);
  return role;
}

const ROLE_TYPE_PROBLEM = 'must be null (agent), 0 (custom role), 1 (light agent) or 4 (admin)';

/**
 * The stored role that Zendesk's `role`, `role_type` and `custom_role_id` ask for, or
 * undefined when the input names none of them. `role: "agent"` alone keeps an agent's kind
 * (light, custom), so that a client may send back the user it read; `custom_role_id` alone
 * makes a custom-role agent; contradictions are 422s naming the field.
 */
function chooseRole(input: UserInput, current: RoleChoice | undefined): RoleChoice | undefined {
  const { roleType, customRoleId } = input;
  if (input.role === undefined && roleType === undefined && customRoleId === undefined) {
    return undefined;
  }
  if (
    roleType !== undefined &&
    roleType !== null &&
    !(Object.values(ROLE_TYPES) as number[]).includes(roleType)
  ) {
    throw UserError.invalid('role_type', ROLE_TYPE_PROBLEM);
  }
  const currentWire = current === undefined ? 'end-user' : wireRole(current.role);
  const wire: WireRole =
    input.role !== undefined
      ? checkRole(input.role)
      : roleType === ROLE_TYPES.admin
        ? 'admin'
        : roleType !== undefined || (customRoleId ?? null) !== null
          ? 'agent'
          : currentWire;
  if (wire !== 'agent') {
    const allowed =
      roleType === undefined ||
      roleType === null ||
      (wire === 'admin' && roleType === ROLE_TYPES.admin);
    if (!allowed) throw UserError.invalid('role_type', `must be null for the role ${wire}`);
    if ((customRoleId ?? null) !== null) {
      throw UserError.invalid('custom_role_id', 'is only for agents');
    }
    return { role: wire, customRoleId: null };
  }
  if (roleType === ROLE_TYPES.admin) {
    throw UserError.invalid('role_type', 'must not be 4 (admin) for the role agent');
  }
  if (roleType === ROLE_TYPES.lightAgent || roleType === null) {
    if ((customRoleId ?? null) !== null) {
      throw UserError.invalid('custom_role_id', 'is only for role_type 0 (custom role)');
    }
    return { role: roleType === null ? 'agent' : 'light-agent', customRoleId: null };
  }
  // A custom role: named now, or the one the agent holds.
  const keep = current?.role === 'agent' ? current.customRoleId : null;
  const chosen = customRoleId === undefined ? keep : customRoleId;
  if (roleType === ROLE_TYPES.custom && chosen === null) {
    throw UserError.invalid('custom_role_id', 'is required for role_type 0 (custom role)');
  }
  // Without a role_type and a custom role to give, a light agent stays one.
  if (roleType === undefined && chosen === null && current?.role === 'light-agent') return current;
  return { role: 'agent', customRoleId: chosen };
}

/** The profile fields a client may set, each with its column. */
const PROFILE_FIELDS = [
  ['phone', 'phone'],
  ['locale', 'locale'],
  ['time_zone', 'timeZone'],
] as const;

type ProfileChanges = Partial<Pick<UserEntity, 'phone' | 'locale' | 'timeZone'>>;

function profileChanges(input: UserInput): ProfileChanges {
  return {
    phone: input.phone === undefined ? undefined : checkPhone(input.phone),
    locale: input.locale === undefined ? undefined : checkLocale(input.locale),
    timeZone: input.timeZone === undefined ? undefined : checkTimeZone(input.timeZone),
  };
}

function checkName(raw: string): string {
  return requiredLine(raw, MAX_USER_NAME_LENGTH, (problem) => UserError.invalid('name', problem));
}
