import { Module } from '@nestjs/common';
import { IdentityContributor } from './identity.contributor';
import { BcryptPasswordHasher, PasswordHasher } from './password-hasher';
import { UserRepository } from './user.repository';
import { UserService } from './user.service';

@Module({
  providers: [
    UserRepository,
    UserService,
    IdentityContributor,
    { provide: PasswordHasher, useClass: BcryptPasswordHasher },
  ],
  exports: [UserService],
})
export class IdentityModule {}
