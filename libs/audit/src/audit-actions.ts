/**
 * The audit log's vocabulary: dotted names that say what happened. `AuditLog.record` accepts
 * any name of this form (lower case words joined by dots); use these where one fits.
 */
export const AuditAction = {
  signInSucceeded: 'auth.sign_in.succeeded',
  signInFailed: 'auth.sign_in.failed',
  twoFactorEnabled: 'auth.two_factor.enabled',
  twoFactorDisabled: 'auth.two_factor.disabled',
  tokenCreated: 'token.created',
  tokenRevoked: 'token.revoked',
  roleChanged: 'role.changed',
  userCreated: 'user.created',
  userUpdated: 'user.updated',
  userDeactivated: 'user.deactivated',
  userPasswordReset: 'user.password.reset',
  userIdentityChanged: 'user.identity.changed',
  groupChanged: 'group.changed',
  groupMembershipAdded: 'group.membership.added',
  groupMembershipRemoved: 'group.membership.removed',
  customRoleChanged: 'custom_role.changed',
  settingsChanged: 'settings.changed',
  breakGlassAccessed: 'break_glass.accessed',
  keysRotated: 'keys.rotated',
  networkDataErased: 'privacy.audit_network_data.erased',
} as const;

export type KnownAuditAction = (typeof AuditAction)[keyof typeof AuditAction];
