import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { UserEntity, type UserRole } from './user.entity';

@Injectable()
export class UserRepository {
  constructor(private readonly db: Database) {}

  findById(id: number): Promise<UserEntity | null> {
    return this.db.run((m) => m.findOneBy(UserEntity, { id }));
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.db.run((m) => m.findOneBy(UserEntity, { email }));
  }

  countByRole(role: UserRole): Promise<number> {
    return this.db.run((m) => m.countBy(UserEntity, { role }));
  }

  insert(user: Omit<UserEntity, 'id'>): Promise<UserEntity> {
    return this.db.run((m) => m.save(m.create(UserEntity, user)));
  }

  async update(id: number, changes: Partial<Omit<UserEntity, 'id'>>): Promise<void> {
    await this.db.run((m) => m.update(UserEntity, { id }, changes));
  }
}
