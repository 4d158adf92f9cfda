import { Inject, Injectable } from '@nestjs/common';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { compare, hash } from 'bcrypt';

/** Hashes and checks passwords; bcrypt behind a port. */
export abstract class PasswordHasher {
  abstract hash(password: string): Promise<string>;
  abstract verify(password: string, hashed: string): Promise<boolean>;

  /** Whether a stored hash is weaker than what hash() makes now (ASVS V2.4): rehash it. */
  needsRehash(_hashed: string): boolean {
    return false;
  }
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

  override needsRehash(hashed: string): boolean {
    const cost = /^\$2[abxy]?\$(\d{2})\$/.exec(hashed)?.[1];
    return cost === undefined || Number(cost) < this.config.bcryptCost;
  }
}
