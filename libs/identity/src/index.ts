import { CreateUsers1763700000000 } from './migrations/1763700000000-create-users';
import { UserEntity } from './user.entity';

export { IdentityModule } from './identity.module';
export {
  passwordProblem,
  UserService,
  FIRST_ADMIN_EMAIL,
  type CreateAdminInput,
  type CreatedAdmin,
} from './user.service';
export { UserError, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from './user.errors';
export { UserEntity, type UserRole } from './user.entity';

export const identityEntities = [UserEntity];
export const identityMigrations = [CreateUsers1763700000000];
