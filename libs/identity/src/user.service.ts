import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock, optionalLine } from '@steward/platform';
import { PasswordHasher } from './password-hasher';
import type { UserEntity, UserRole } from './user.entity';
import { passwordPolicyProblem } from './password-policy';
import { UserError } from './user.errors';
import { OrganizationRepository } from './organization.repository';
import { emailDomain } from './organization.service';
import { UserRepository } from './user.repository';
import { UserIdentityRepository } from './user-identity.repository';
import { Database } from '@steward/persistence';

export const FIRST_ADMIN_EMAIL = 'admin@localhost';

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/;

export interface CreateAdminInput {
  readonly email: string;
  readonly name?: string;
  /** When absent, a one-time password is generated and must be changed at first sign-in. */
  readonly password?: string;
}

/** Zendesk's roles, as a client sends and reads them (`role`); light agents are `agent`s. */
export type WireRole = 'admin' | 'agent' | 'end-user';
export const USER_ROLES: readonly WireRole[] = ['admin', 'agent', 'end-user'];
/** Zendesk's `role_type` values that Steward has; null is a plain agent (and end-users). */
export const ROLE_TYPES = { custom: 0, lightAgent: 1, admin: 4 } as const;

/** The role a client sees: a light agent is an `agent` (with `role_type` 1). */
export function wireRole(role: UserRole): WireRole {
  return role === 'light-agent' ? 'agent' : role;
}

/** Zendesk's `role_type` of a user: 4 admin, 1 light agent, 0 custom role, else null. */
export function roleTypeOf(user: Pick<UserEntity, 'role' | 'customRoleId'>): number | null {
  if (user.role === 'admin') return ROLE_TYPES.admin;
  if (user.role === 'light-agent') return ROLE_TYPES.lightAgent;
  if (user.role === 'agent' && (user.customRoleId ?? null) !== null) return ROLE_TYPES.custom;
  return null;
}

/** The roles as stored (`users.role`). */
export const STORED_ROLES: readonly UserRole[] = ['admin', 'agent', 'light-agent', 'end-user'];

export const DEFAULT_LOCALE = 'en-US';
export const DEFAULT_TIME_ZONE = 'UTC';
const MAX_PHONE_LENGTH = 50;
const MAX_LOCALE_LENGTH = 35;
const MAX_TIME_ZONE_LENGTH = 64;

export interface CreateUserInput extends CreateAdminInput {
  readonly role: UserRole;
  readonly externalId?: string | null;
  /** An agent's custom role; the caller checked that it exists. */
  readonly customRoleId?: number | null;
  readonly phone?: string | null;
  readonly locale?: string;
  readonly timeZone?: string;
}

export interface CreatedUser {
  readonly user: UserEntity;
  /** Set when the password was generated: show it once, never store or log it. */
  readonly oneTimePassword?: string;
}

export type CreatedAdmin = CreatedUser;

/** A random password of 20 characters from an unambiguous alphabet (~115 bits). */
export function generateOneTimePassword(): string {
  let out = '';
  for (let i = 0; i < 20; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return out;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** May this user sign in or use a token: active, and not erased. */
export function isActiveUser(user: Pick<UserEntity, 'active' | 'erasedAt'>): boolean {
  return user.active && user.erasedAt === null;
}

@Injectable()
export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
    private readonly organizations: OrganizationRepository,
    private readonly identities: UserIdentityRepository,
    private readonly db: Database,
  ) {}

  async createAdmin(input: CreateAdminInput): Promise<CreatedAdmin> {
    return this.createUser({ ...input, role: 'admin' });
  }

  /**
   * Creates a user of any role. A given password must pass the policy; staff without one get a
   * one-time password, end-users none.
   */
  async createUser(input: CreateUserInput): Promise<CreatedUser> {
    if (!STORED_ROLES.includes(input.role)) throw UserError.invalid('role', 'is not a known role');
    if (input.role !== 'agent' && (input.customRoleId ?? null) !== null) {
      throw UserError.invalid('custom_role_id', 'is only for agents');
    }
    const email = normaliseEmail(input.email);
    if (email.length > 320 || !EMAIL.test(email))
      throw UserError.invalid('email', 'is not an email address');
    const name = (input.name ?? email.split('@')[0] ?? email).trim();
    if (name.length === 0 || name.length > 255)
      throw UserError.invalid('name', 'must be 1 to 255 characters');
    if (input.password !== undefined) checkPassword(input.password);
    const externalId = checkExternalId(input.externalId ?? null);
    const phone = checkPhone(input.phone ?? null);
    const locale = checkLocale(input.locale ?? DEFAULT_LOCALE);
    const timeZone = checkTimeZone(input.timeZone ?? DEFAULT_TIME_ZONE);
    if (await this.emailInUse(email)) throw UserError.emailTaken();

    // Staff without a password get a one-time one to change at first sign-in. End-users made by
    // an agent, a ticket or the API get none: they set one through a password reset when they
    // need to sign in (and no bcrypt work is spent on a password nobody will ever see).
    const oneTimePassword =
      input.password === undefined && input.role !== 'end-user'
        ? generateOneTimePassword()
        : undefined;
    const secret = input.password ?? oneTimePassword;
    const passwordHash = secret === undefined ? null : await this.hasher.hash(secret);
    const now = this.clock.now();
    const user = await this.db.transaction(async () => {
      if (externalId !== null && (await this.users.findByExternalId(externalId))) {
        throw UserError.invalid('external_id', 'has already been taken');
      }
      const created = await this.users.insert({
        email,
        name,
        role: input.role,
        customRoleId: input.customRoleId ?? null,
        externalId,
        phone,
        locale,
        timeZone,
        passwordHash,
        passwordMustChange: oneTimePassword !== undefined,
        active: true,
        erasedAt: null,
        // An end-user joins the organization that lists their email domain, if one does.
        organizationId:
          input.role === 'end-user'
            ? await this.organizations.idForDomain(emailDomain(email))
            : null,
        createdAt: now,
        updatedAt: now,
      });
      // The address the account was made for is its primary, verified identity.
      await this.identities.insert({
        userId: created.id,
        type: 'email',
        value: email,
        primary: true,
        verified: true,
        createdAt: now,
        updatedAt: now,
      });
      return created;
    });
    return { user, oneTimePassword };
  }

  /** Is the address some user's email or identity. */
  async emailInUse(email: string): Promise<boolean> {
    const normalised = normaliseEmail(email);
    return (
      (await this.users.findByEmail(normalised)) !== null ||
      (await this.identities.findByValue('email', normalised)) !== null
    );
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findByEmail(normaliseEmail(email));
  }

  findById(id: number): Promise<UserEntity | null> {
    return this.users.findById(id);
  }

  /** Creates the first admin when there is none yet; returns it with its one-time password. */
  async ensureFirstAdmin(): Promise<CreatedAdmin | undefined> {
    if ((await this.users.countByRole('admin')) > 0) return undefined;
    try {
      return await this.createAdmin({ email: FIRST_ADMIN_EMAIL, name: 'Administrator' });
    } catch (error) {
      // Another process created it at the same moment; theirs stands.
      if (error instanceof UserError || (await this.users.countByRole('admin')) > 0)
        return undefined;
      throw error;
    }
  }
}

/** What is wrong with a new password, or undefined when it may be used. */
export function passwordProblem(password: string): string | undefined {
  return passwordPolicyProblem(password);
}

export const MAX_EXTERNAL_ID_LENGTH = 255;

/** An external id: trimmed, 1 to 255 characters on one line, or null. */
export function checkExternalId(raw: string | null): string | null {
  return optionalLine(raw, MAX_EXTERNAL_ID_LENGTH, (problem) =>
    UserError.invalid('external_id', problem),
  );
}

/** A phone number, loosely: digits, spaces and `+ - ( )`, at most 50 characters; or null. */
export function checkPhone(raw: string | null): string | null {
  if (raw === null || raw.trim() === '') return null;
  const phone = raw.trim();
  if (phone.length > MAX_PHONE_LENGTH || !/^[0-9 +\-()]+$/.test(phone) || !/\d/.test(phone)) {
    throw UserError.invalid(
      'phone',
      `must be digits, spaces and + - ( ), at most ${MAX_PHONE_LENGTH} characters`,
    );
  }
  return phone;
}

/** A BCP 47 language tag (`en-US`, `de-CH`), canonicalised. */
export function checkLocale(raw: string): string {
  const tag = raw.trim();
  const problem = UserError.invalid('locale', 'must be a BCP 47 language tag such as en-US');
  if (tag.length === 0 || tag.length > MAX_LOCALE_LENGTH) throw problem;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (canonical === undefined || canonical.length > MAX_LOCALE_LENGTH) throw problem;
    return canonical;
  } catch {
    throw problem;
  }
}

/** An IANA time zone name (`Europe/Berlin`, `UTC`), canonicalised; aliases are accepted. */
export function checkTimeZone(raw: string): string {
  const name = raw.trim();
  const problem = UserError.invalid('time_zone', 'must be an IANA time zone such as Europe/Berlin');
  // Intl also takes offsets such as +01:00, which are no IANA names: a name starts with a letter.
  if (name.length > MAX_TIME_ZONE_LENGTH || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) {
    throw problem;
  }
  try {
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions()
      .timeZone;
    if (canonical.length > MAX_TIME_ZONE_LENGTH) throw problem;
    return canonical;
  } catch {
    throw problem;
  }
}

/** An email address, normalised, or the validation error. */
export function checkEmail(raw: string): string {
  const email = normaliseEmail(raw);
  if (email.length > 320 || !EMAIL.test(email))
    throw UserError.invalid('email', 'is not an email address');
  return email;
}

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw UserError.invalid('password', problem);
}
