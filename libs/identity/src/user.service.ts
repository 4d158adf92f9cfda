import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '@steward/platform';
import { PasswordHasher } from './password-hasher';
import type { UserEntity, UserRole } from './user.entity';
import { passwordPolicyProblem } from './password-policy';
import { UserError } from './user.errors';
import { OrganizationRepository } from './organization.repository';
import { emailDomain } from './organization.service';
import { UserRepository } from './user.repository';

export const FIRST_ADMIN_EMAIL = 'admin@localhost';

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/;

export interface CreateAdminInput {
  readonly email: string;
  readonly name?: string;
  /** When absent, a one-time password is generated and must be changed at first sign-in. */
  readonly password?: string;
}

export const USER_ROLES: readonly UserRole[] = ['admin', 'agent', 'end-user'];

export interface CreateUserInput extends CreateAdminInput {
  readonly role: UserRole;
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
  ) {}

  async createAdmin(input: CreateAdminInput): Promise<CreatedAdmin> {
    return this.createUser({ ...input, role: 'admin' });
  }

  /** Creates a user of any role; the password rules and the one-time password as for admins. */
  async createUser(input: CreateUserInput): Promise<CreatedUser> {
    if (!USER_ROLES.includes(input.role)) throw UserError.invalid('role', 'is not a known role');
    const email = normaliseEmail(input.email);
    if (email.length > 320 || !EMAIL.test(email))
      throw UserError.invalid('email', 'is not an email address');
    const name = (input.name ?? email.split('@')[0] ?? email).trim();
    if (name.length === 0 || name.length > 255)
      throw UserError.invalid('name', 'must be 1 to 255 characters');
    if (input.password !== undefined) checkPassword(input.password);
    if (await this.users.findByEmail(email)) throw UserError.emailTaken();

    const oneTimePassword = input.password === undefined ? generateOneTimePassword() : undefined;
    const now = this.clock.now();
    const user = await this.users.insert({
      email,
      name,
      role: input.role,
      passwordHash: await this.hasher.hash(input.password ?? (oneTimePassword as string)),
      passwordMustChange: oneTimePassword !== undefined,
      active: true,
      erasedAt: null,
      // An end-user joins the organization that lists their email domain, if one does.
      organizationId:
        input.role === 'end-user' ? await this.organizations.idForDomain(emailDomain(email)) : null,
      createdAt: now,
      updatedAt: now,
    });
    return { user, oneTimePassword };
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

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw UserError.invalid('password', problem);
}
