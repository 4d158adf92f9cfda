import { ApiTokenEntity } from './api-token.entity';
import { CreateUsers1763700000000 } from './migrations/1763700000000-create-users';
import { CreateApiTokens1763800000000 } from './migrations/1763800000000-create-api-tokens';
import { UserEntity } from './user.entity';

export { IdentityModule } from './identity.module';
export {
  passwordProblem,
  isActiveUser,
  UserService,
  FIRST_ADMIN_EMAIL,
  USER_ROLES,
  type CreateAdminInput,
  type CreateUserInput,
  type CreatedAdmin,
  type CreatedUser,
} from './user.service';
export { UserError, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from './user.errors';
export { UserEntity, type UserRole } from './user.entity';
export {
  ApiTokenService,
  API_TOKEN_PREFIX,
  TOKEN_CACHE_TTL_MS,
  hashApiToken,
  type ApiTokenSummary,
  type CreatedApiToken,
  SYSTEM_ACTOR,
  type AuditActor,
} from './api-token.service';
export { ApiTokenError, MAX_TOKEN_NAME_LENGTH } from './api-token.errors';
export { ApiTokenEntity } from './api-token.entity';
export { PolicyService, PERMISSIONS, isPermission, type Permission } from './policy.service';

export const identityEntities = [UserEntity, ApiTokenEntity];
export const identityMigrations = [CreateUsers1763700000000, CreateApiTokens1763800000000];
