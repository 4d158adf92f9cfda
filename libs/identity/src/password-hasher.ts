import { Inject, Injectable } from '@nestjs/common';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { compare, hash } from 'bcrypt';

/** Hashes and checks passwords; bcrypt behind a port. */
export abstract class PasswordHasher {
  abstract hash(password: string): Promise<string>;
  abstract verify(password: string, hashed: string): Promise<boolean>;
}

@Injectable()
export class BcryptPasswordHasher extends PasswordHasher {
  constructor(@Inject(STEWARD_CONFIG) private readonly config: StewardConfig) {
    super();
  }

  hash(password: string): Promise<string> {
    return hash(password, this.config.bcryptCost);
  }

  verify(password: string, hashed: string): Promise<boolean> {
    return compare(password, hashed);
  }
}
