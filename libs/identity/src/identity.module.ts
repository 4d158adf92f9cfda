import { Module } from '@nestjs/common';
import { AuditModule } from '@steward/audit';
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
import { PolicyService } from './policy.service';
import { SessionRepository } from './session.repository';
import { SessionService } from './session.service';
import { SessionStore } from './session-store';
import { SignInService } from './sign-in.service';
import { UserRepository } from './user.repository';
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
    IdentityContributor,
    OrganizationRepository,
    OrganizationService,
    OrganizationContributor,
    GroupRepository,
    GroupService,
    GroupMembershipRepository,
    GroupMembershipService,
    { provide: SessionStore, useClass: SessionRepository },
    SessionService,
    SignInService,
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
    SessionService,
    SignInService,
    PasswordResetService,
  ],
})
export class IdentityModule {}
