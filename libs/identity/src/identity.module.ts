import { Module } from '@nestjs/common';
import { AuditModule } from '@steward/audit';
import { ApiTokenRepository } from './api-token.repository';
import { ApiTokenService } from './api-token.service';
import { IdentityContributor } from './identity.contributor';
import { BcryptPasswordHasher, PasswordHasher } from './password-hasher';
import { PolicyService } from './policy.service';
import { UserRepository } from './user.repository';
import { UserService } from './user.service';

@Module({
  imports: [AuditModule],
  providers: [
    UserRepository,
    UserService,
    ApiTokenRepository,
    ApiTokenService,
    PolicyService,
    IdentityContributor,
    { provide: PasswordHasher, useClass: BcryptPasswordHasher },
  ],
  exports: [UserService, ApiTokenService, PolicyService],
})
export class IdentityModule {}
