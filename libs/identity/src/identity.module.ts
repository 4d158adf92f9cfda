import { Module } from '@nestjs/common';
import { AuditModule } from '@steward/audit';
import { Database } from '@steward/persistence';
import { Clock, STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { ApiTokenRepository } from './api-token.repository';
import { ApiTokenService } from './api-token.service';
import { GroupMembershipRepository } from './group-membership.repository';
import { GroupMembershipService } from './group-membership.service';
import { GroupRepository } from './group.repository';
import { GroupService } from './group.service';
import { IdentityContributor } from './identity.contributor';
import { OrganizationContributor } from './organization.contributor';
import { OrganizationRepository } from './organization.repository';
import { OrganizationService } from './organization.service';
import { LoginThrottle, MemoryLoginThrottle } from './login-throttle';
import { RedisLoginThrottle } from './login-throttle.redis';
import { BcryptPasswordHasher, PasswordHasher } from './password-hasher';
import { PasswordResetRepository } from './password-reset.repository';
import { PasswordResetService } from './password-reset.service';
import { MemoryPasswordResetThrottle, PasswordResetThrottle } from './password-reset-throttle';
import { RedisPasswordResetThrottle } from './password-reset-throttle.redis';
import { BreakGlassContributor } from './break-glass.contributor';
import { BreakGlassGrantRepository } from './break-glass-grant.repository';
import { BreakGlassService } from './break-glass.service';
import { ConfidentialAccess } from './confidential-access.service';
import { PolicyService } from './policy.service';
import { SessionRepository } from './session.repository';
import { SessionService } from './session.service';
import { SessionStore } from './session-store';
import { RedisSessionStore } from './session-store.redis';
import { SignInService } from './sign-in.service';
import { TwoFactorRepository } from './two-factor.repository';
import { TwoFactorService } from './two-factor.service';
import { UserRepository } from './user.repository';
import { CustomRoleRepository } from './custom-role.repository';
import { CustomRoleService } from './custom-role.service';
import { UserService } from './user.service';
import { UserAccountService } from './user-account.service';
import { UserIdentityRepository } from './user-identity.repository';
import { UserIdentityService } from './user-identity.service';

@Module({
  imports: [AuditModule],
  providers: [
    UserRepository,
    UserService,
    UserIdentityRepository,
    UserIdentityService,
    UserAccountService,
    ApiTokenRepository,
    ApiTokenService,
    PolicyService,
    CustomRoleRepository,
    CustomRoleService,
    IdentityContributor,
    OrganizationRepository,
    OrganizationService,
    OrganizationContributor,
    GroupRepository,
    GroupService,
    GroupMembershipRepository,
    GroupMembershipService,
    {
      provide: SessionStore,
      inject: [Database, UserRepository, Clock, STEWARD_CONFIG],
      // Production: sessions in Redis, shared by every server process; embedded: the table.
      useFactory: (
        db: Database,
        users: UserRepository,
        clock: Clock,
        config: StewardConfig,
      ): SessionStore =>
        config.shape === 'production'
          ? new RedisSessionStore(users, clock, config)
          : new SessionRepository(db),
    },
    SessionService,
    SignInService,
    TwoFactorRepository,
    TwoFactorService,
    {
      provide: LoginThrottle,
      inject: [Clock, STEWARD_CONFIG],
      // Production: counters shared by every server process in Redis; embedded: in memory.
      useFactory: (clock: Clock, config: StewardConfig): LoginThrottle =>
        config.shape === 'production'
          ? new RedisLoginThrottle(clock, config)
          : new MemoryLoginThrottle(clock, config),
    },
    PasswordResetRepository,
    PasswordResetService,
    {
      provide: PasswordResetThrottle,
      inject: [Clock, STEWARD_CONFIG],
      // Production: counters shared by every server process in Redis; embedded: in memory.
      useFactory: (clock: Clock, config: StewardConfig): PasswordResetThrottle =>
        config.shape === 'production'
          ? new RedisPasswordResetThrottle(clock, config)
          : new MemoryPasswordResetThrottle(clock),
    },
    BreakGlassGrantRepository,
    BreakGlassService,
    BreakGlassContributor,
    ConfidentialAccess,
    { provide: PasswordHasher, useClass: BcryptPasswordHasher },
  ],
  exports: [
    OrganizationService,
    GroupService,
    GroupMembershipService,
    UserService,
    UserIdentityService,
    UserAccountService,
    ApiTokenService,
    PolicyService,
    CustomRoleService,
    SessionService,
    SignInService,
    TwoFactorService,
    PasswordResetService,
    BreakGlassService,
    ConfidentialAccess,
  ],
})
export class IdentityModule {}
