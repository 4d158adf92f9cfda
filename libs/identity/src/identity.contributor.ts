import { Injectable } from '@nestjs/common';
import {
  type DataSubject,
  type ErasurePlanItem,
  type ErasureResult,
  type ExportPart,
  type PersonalDataContributor,
  PersonalDataContributorProvider,
  type Tombstone,
} from '@steward/privacy';
import { Clock } from '@steward/platform';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokenService } from './api-token.service';
import { GroupMembershipEntity } from './group-membership.entity';
import { GroupMembershipService } from './group-membership.service';
import { PasswordResetEntity } from './password-reset.entity';
import { PasswordResetService } from './password-reset.service';
import { SessionEntity } from './session.entity';
import { SessionService } from './session.service';
import { TwoFactorCredentialEntity } from './two-factor-credential.entity';
import { TwoFactorRecoveryCodeEntity } from './two-factor-recovery-code.entity';
import { TwoFactorService } from './two-factor.service';
import { UserEntity } from './user.entity';
import { UserIdentityEntity } from './user-identity.entity';
import { UserIdentityRepository } from './user-identity.repository';
import { UserRepository } from './user.repository';
import { normaliseEmail } from './user.service';

const CATEGORY = 'profile';
const TOKENS = 'api_tokens';
const MEMBERSHIPS = 'group_memberships';
const SESSIONS = 'sign_in_history';
const RESETS = 'password_resets';
const IDENTITIES = 'user_identities';
const TWO_FACTOR = 'two_factor';

/** The identity feature's part of a data subject's export and erasure. */
@Injectable()
@PersonalDataContributorProvider()
export class IdentityContributor implements PersonalDataContributor {
  readonly name = 'identity';
  readonly covers = [
    UserEntity,
    UserIdentityEntity,
    ApiTokenEntity,
    SessionEntity,
    PasswordResetEntity,
    GroupMembershipEntity,
    TwoFactorCredentialEntity,
    TwoFactorRecoveryCodeEntity,
  ];

  constructor(
    private readonly users: UserRepository,
    private readonly tokens: ApiTokenService,
    private readonly memberships: GroupMembershipService,
    private readonly sessions: SessionService,
    private readonly resets: PasswordResetService,
    private readonly identities: UserIdentityRepository,
    private readonly twoFactor: TwoFactorService,
    private readonly clock: Clock,
  ) {}

  async exportSubject(subject: DataSubject): Promise<ExportPart[]> {
    const users = await this.findUsers(subject);
    const records = users.map((user) => ({
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      phone: user.phone,
      locale: user.locale,
      timeZone: user.timeZone,
      active: user.active,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    }));
    // Never the token or its hash: the name, the last 4 characters, and when.
    const tokens = (await this.tokens.listForUsers(users.map((user) => user.id))).map((t) => ({
      id: t.id,
      userId: t.userId,
      name: t.name,
      hint: t.hint,
      createdAt: t.createdAt.toISOString(),
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      revokedAt: t.revokedAt?.toISOString() ?? null,
    }));
    // The sign-in history: when and from where; never the session token or its hash.
    const sessions = (await this.sessions.listForUsers(users.map((user) => user.id))).map((s) => ({
      userId: s.userId,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      revokedAt: s.revokedAt?.toISOString() ?? null,
      ip: s.ip,
      userAgent: s.userAgent,
    }));
    // The groups the subject belonged to: the group's id and name, and since when.
    const groups = (await this.memberships.listOfUsers(users.map((user) => user.id))).map((m) => ({
      userId: m.userId,
      groupId: m.groupId,
      groupName: m.group?.name ?? null,
      default: m.isDefault,
      createdAt: m.createdAt.toISOString(),
    }));
    // When a reset was asked for and used; never the token or its hash.
    const resets = (await this.resets.listForUsers(users.map((user) => user.id))).map((r) => ({
      userId: r.userId,
      createdAt: r.createdAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
      usedAt: r.usedAt?.toISOString() ?? null,
    }));
    // Every email address the subject was known by, and whether it was primary and verified.
    const identities = (await this.identities.listOfUsers(users.map((user) => user.id))).map(
      (i) => ({
        id: i.id,
        userId: i.userId,
        type: i.type,
        value: i.value,
        primary: i.primary,
        verified: i.verified,
        createdAt: i.createdAt.toISOString(),
        updatedAt: i.updatedAt.toISOString(),
      }),
    );
    // Whether and since when the subject used a second factor; never the secret or the codes.
    const twoFactor = (await this.twoFactor.listForUsers(users.map((user) => user.id))).map(
      (f) => ({
        userId: f.userId,
        enabled: f.enabled,
        createdAt: f.createdAt.toISOString(),
        enabledAt: f.enabledAt?.toISOString() ?? null,
        recoveryCodesLeft: f.recoveryCodesLeft,
      }),
    );
    return [
      { category: CATEGORY, schemaVersion: 1, records },
      { category: TWO_FACTOR, schemaVersion: 1, records: twoFactor },
      { category: IDENTITIES, schemaVersion: 1, records: identities },
      { category: MEMBERSHIPS, schemaVersion: 1, records: groups },
      { category: TOKENS, schemaVersion: 1, records: tokens },
      { category: SESSIONS, schemaVersion: 1, records: sessions },
      { category: RESETS, schemaVersion: 1, records: resets },
    ];
  }

  async planErasure(subject: DataSubject): Promise<ErasurePlanItem[]> {
    const users = await this.findUsers(subject);
    const count = users.length;
    const tokens = await this.tokens.listForUsers(users.map((user) => user.id));
    return [
      {
        category: CATEGORY,
        action: 'anonymise',
        count,
        reason: 'the user row stays as a tombstone so shared records keep a pseudonymous reference',
      },
      {
        category: IDENTITIES,
        action: 'delete',
        count: (await this.identities.listOfUsers(users.map((user) => user.id))).length,
      },
      { category: TOKENS, action: 'delete', count: tokens.length },
      {
        category: MEMBERSHIPS,
        action: 'delete',
        count: (await this.memberships.listOfUsers(users.map((user) => user.id))).length,
      },
      {
        category: SESSIONS,
        action: 'delete',
        count: (await this.sessions.listForUsers(users.map((user) => user.id))).length,
      },
      {
        category: RESETS,
        action: 'delete',
        count: (await this.resets.listForUsers(users.map((user) => user.id))).length,
      },
      {
        category: TWO_FACTOR,
        action: 'delete',
        count: await this.twoFactor.countForUsers(users.map((user) => user.id)),
      },
    ];
  }

  async eraseSubject(subject: DataSubject, tombstone: Tombstone): Promise<ErasureResult[]> {
    const users = await this.findUsers(subject);
    // Tokens first: from here on nothing of the subject can authenticate.
    const deletedTokens = await this.tokens.deleteForUsers(users.map((user) => user.id));
    const deletedSessions = await this.sessions.deleteForUsers(users.map((user) => user.id));
    const deletedTwoFactor = await this.twoFactor.deleteForUsers(users.map((user) => user.id));
    const deletedResets = await this.resets.deleteForUsers(users.map((user) => user.id));
    const deletedIdentities = await this.identities.deleteOfUsers(users.map((user) => user.id));
    const deletedMemberships = await this.memberships.deleteOfUsers(users.map((user) => user.id));
    const now = this.clock.now();
    for (const user of users) {
      await this.users.update(user.id, {
        email: null,
        name: tombstone.label,
        passwordHash: null,
        passwordMustChange: false,
        phone: null,
        // A tombstone holds no role that would keep an admin from deleting it.
        customRoleId: null,
        active: false,
        erasedAt: now,
        updatedAt: now,
      });
    }
    return [
      { category: CATEGORY, deleted: 0, anonymised: users.length },
      { category: IDENTITIES, deleted: deletedIdentities, anonymised: 0 },
      { category: TOKENS, deleted: deletedTokens, anonymised: 0 },
      { category: MEMBERSHIPS, deleted: deletedMemberships, anonymised: 0 },
      { category: SESSIONS, deleted: deletedSessions, anonymised: 0 },
      { category: RESETS, deleted: deletedResets, anonymised: 0 },
      { category: TWO_FACTOR, deleted: deletedTwoFactor, anonymised: 0 },
    ];
  }

  private async findUsers(subject: DataSubject): Promise<UserEntity[]> {
    const found = new Map<number, UserEntity>();
    if (subject.userId !== undefined) {
      const user = await this.users.findById(Number(subject.userId));
      if (user) found.set(user.id, user);
    }
    for (const email of subject.emails) {
      const user = await this.users.findByEmail(normaliseEmail(email));
      if (user) found.set(user.id, user);
      // A secondary address names the subject too.
      const identity = await this.identities.findByValue('email', normaliseEmail(email));
      const owner = identity && (await this.users.findById(identity.userId));
      if (owner) found.set(owner.id, owner);
    }
    return [...found.values()];
  }
}
