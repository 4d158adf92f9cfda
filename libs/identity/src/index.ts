import { ApiTokenEntity } from './api-token.entity';
import { CreateUsers1763700000000 } from './migrations/1763700000000-create-users';
import { CreateApiTokens1763800000000 } from './migrations/1763800000000-create-api-tokens';
import { CreateSessions1764000000000 } from './migrations/1764000000000-create-sessions';
import { SessionEntity } from './session.entity';
import { PasswordResetEntity } from './password-reset.entity';
import { UserEntity } from './user.entity';
import { UserIdentityEntity } from './user-identity.entity';
import { CreateUserIdentities1764100000000 } from './migrations/1764100000000-create-user-identities';
import { CreateOrganizationsAndGroups1763900000000 } from './migrations/1763900000000-create-organizations-and-groups';
import { AddUserProfileAndCustomRoles1795240000000 } from './migrations/1795240000000-add-user-profile-and-custom-roles';
import { CustomRoleEntity } from './custom-role.entity';
import { OrganizationEntity } from './organization.entity';
import { OrganizationDomainEntity } from './organization-domain.entity';
import { GroupEntity } from './group.entity';
import { GroupMembershipEntity } from './group-membership.entity';
import { BreakGlassGrantEntity } from './break-glass-grant.entity';
import { CreateBreakGlassGrants1795250000000 } from './migrations/1795250000000-create-break-glass-grants';
import { AddTwoFactor1795230000000 } from './migrations/1795230000000-add-two-factor';
import { TwoFactorCredentialEntity } from './two-factor-credential.entity';
import { TwoFactorRecoveryCodeEntity } from './two-factor-recovery-code.entity';

export { IdentityModule } from './identity.module';
export {
  passwordProblem,
  isActiveUser,
  UserService,
  FIRST_ADMIN_EMAIL,
  USER_ROLES,
  DEFAULT_LOCALE,
  wireRole,
  roleTypeOf,
  type WireRole,
  type CreateAdminInput,
  type CreateUserInput,
  type CreatedAdmin,
  type CreatedUser,
} from './user.service';
export { UserError, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from './user.errors';
export { UserEntity, type UserRole } from './user.entity';
export {
  UserIdentityEntity,
  USER_IDENTITY_TYPES,
  type UserIdentityType,
} from './user-identity.entity';
export {
  UserIdentityService,
  type UserActor,
  type UserIdentityInput,
} from './user-identity.service';
export {
  UserAccountService,
  MAX_SEARCH_LENGTH,
  type UserInput,
  type UserPage,
  type UserUpsert,
  type PasswordResetByAdmin,
  type DisabledUser,
} from './user-account.service';
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
export {
  SessionService,
  hashSessionToken,
  type ActiveSession,
  type OpenedSession,
  type SessionContext,
  type SessionSummary,
} from './session.service';
export { SessionEntity, type SessionStep } from './session.entity';
export { SessionStore, type SessionRecord } from './session-store';
export {
  TwoFactorService,
  RECOVERY_CODE_COUNT,
  type TwoFactorActor,
  type TwoFactorMethod,
  type TwoFactorStatus,
  type StartedEnrolment,
  type ConfirmedEnrolment,
} from './two-factor.service';
export { TwoFactorError } from './two-factor.errors';
export { TwoFactorCredentialEntity } from './two-factor-credential.entity';
export { TwoFactorRecoveryCodeEntity } from './two-factor-recovery-code.entity';
export { PasswordResetEntity } from './password-reset.entity';
export { PasswordResetService, PASSWORD_RESET_TTL_MS } from './password-reset.service';
export { SignInService, type SignInInput } from './sign-in.service';
export { SignInError, SignInThrottledError, ReauthenticationRequiredError } from './sign-in.errors';
export { passwordPolicyProblem, isCommonPassword } from './password-policy';
export {
  PolicyService,
  PERMISSIONS,
  AGENT_GRANTABLE_PERMISSIONS,
  isPermission,
  type Permission,
} from './policy.service';
export {
  CustomRoleService,
  type CustomRoleInput,
  type CustomRoleWithHolders,
} from './custom-role.service';
export { CustomRoleError } from './custom-role.errors';
export { CustomRoleEntity } from './custom-role.entity';

export {
  OrganizationService,
  emailDomain,
  type Organization,
  type OrganizationInput,
  type OrganizationPage,
  type PageWindow,
} from './organization.service';
export { OrganizationError, RECORD_INVALID } from './organization.errors';
export { OrganizationEntity } from './organization.entity';
export { OrganizationDomainEntity } from './organization-domain.entity';
export { GroupService, type GroupInput, type GroupPage } from './group.service';
export {
  GroupMembershipService,
  type GroupMembershipInput,
  type GroupMembershipPage,
} from './group-membership.service';
export { GroupError } from './group.errors';
export { GroupEntity } from './group.entity';
export { GroupMembershipEntity } from './group-membership.entity';
export {
  BreakGlassService,
  BREAK_GLASS_ENDED,
  MIN_BREAK_GLASS_REASON_LENGTH,
  MAX_BREAK_GLASS_REASON_LENGTH,
  type BreakGlassGrant,
  type BreakGlassGrantPage,
  type BreakGlassGrantQuery,
  type BreakGlassUser,
} from './break-glass.service';
export { BreakGlassError } from './break-glass.errors';
export { BreakGlassGrantEntity } from './break-glass-grant.entity';
export {
  ConfidentialAccess,
  GROUP_CONTENT_PERMISSION,
  contentFilterAllows,
  type ContentReader,
  type GroupContentFilter,
} from './confidential-access.service';
export {
  PasswordResetThrottle,
  PASSWORD_RESET_LIMITS,
  type PasswordResetLimits,
} from './password-reset-throttle';

export const identityEntities = [
  OrganizationEntity,
  OrganizationDomainEntity,
  GroupEntity,
  GroupMembershipEntity,
  CustomRoleEntity,
  UserEntity,
  UserIdentityEntity,
  ApiTokenEntity,
  SessionEntity,
  PasswordResetEntity,
  BreakGlassGrantEntity,
  TwoFactorCredentialEntity,
  TwoFactorRecoveryCodeEntity,
];
export const identityMigrations = [
  CreateUsers1763700000000,
  CreateApiTokens1763800000000,
  CreateOrganizationsAndGroups1763900000000,
  CreateSessions1764000000000,
  CreateUserIdentities1764100000000,
  AddTwoFactor1795230000000,
  AddUserProfileAndCustomRoles1795240000000,
  CreateBreakGlassGrants1795250000000,
];
