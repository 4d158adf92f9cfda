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
import { UserEntity } from './user.entity';
import { UserRepository } from './user.repository';
import { normaliseEmail } from './user.service';

const CATEGORY = 'profile';

/** The identity feature's part of a data subject's export and erasure. */
@Injectable()
@PersonalDataContributorProvider()
export class IdentityContributor implements PersonalDataContributor {
  readonly name = 'identity';
  readonly covers = [UserEntity];

  constructor(
    private readonly users: UserRepository,
    private readonly clock: Clock,
  ) {}

  async exportSubject(subject: DataSubject): Promise<ExportPart[]> {
    const records = (await this.findUsers(subject)).map((user) => ({
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      active: user.active,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    }));
    return [{ category: CATEGORY, schemaVersion: 1, records }];
  }

  async planErasure(subject: DataSubject): Promise<ErasurePlanItem[]> {
    const count = (await this.findUsers(subject)).length;
    return [
      {
        category: CATEGORY,
        action: 'anonymise',
        count,
        reason: 'the user row stays as a tombstone so shared records keep a pseudonymous reference',
      },
    ];
  }

  async eraseSubject(subject: DataSubject, tombstone: Tombstone): Promise<ErasureResult[]> {
    const users = await this.findUsers(subject);
    const now = this.clock.now();
    for (const user of users) {
      await this.users.update(user.id, {
        email: null,
        name: tombstone.label,
        passwordHash: null,
        passwordMustChange: false,
        active: false,
        erasedAt: now,
        updatedAt: now,
      });
    }
    return [{ category: CATEGORY, deleted: 0, anonymised: users.length }];
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
    }
    return [...found.values()];
  }
}
