import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseFilters,
} from '@nestjs/common';
import type { ActiveSession } from '@steward/identity';
import { ErrorCode, StewardError } from '@steward/platform';
import { ReauthenticationRequiredFilter } from './reauthentication-required.filter';

/** The web session a request authenticated with, set by the AuthGuard (absent for API tokens). */
const sessions = new WeakMap<object, ActiveSession>();

export function setCurrentSession(request: object, session: ActiveSession): void {
  sessions.set(request, session);
}

export function currentSessionOf(request: object): ActiveSession | undefined {
  return sessions.get(request);
}

/** The web session, as a route handler parameter; refuses requests made with an API token. */
export const CurrentSession = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ActiveSession => {
    const session = currentSessionOf(context.switchToHttp().getRequest<object>());
    if (!session) throw new StewardError(ErrorCode.Forbidden, 'This needs a web session');
    return session;
  },
);

export const ALLOWED_WHILE_PASSWORD_MUST_CHANGE = 'steward:allowedWhilePasswordMustChange';

/** A route a session that must change its password may still use (the change, sign-out). */
export const AllowedWhilePasswordMustChange = (): MethodDecorator =>
  SetMetadata(ALLOWED_WHILE_PASSWORD_MUST_CHANGE, true);

export const SAME_ORIGIN_ONLY = 'steward:sameOriginOnly';

/** A public route a browser may only call from Steward's own pages (checked on Origin). */
export const SameOriginOnly = (): MethodDecorator => SetMetadata(SAME_ORIGIN_ONLY, true);

export const ALLOWED_WHILE_TWO_FACTOR_PENDING = 'steward:allowedWhileTwoFactorPending';

/** A route a session that still owes its second-factor code may use (the code, sign-out). */
export const AllowedWhileTwoFactorPending = (): MethodDecorator =>
  SetMetadata(ALLOWED_WHILE_TWO_FACTOR_PENDING, true);

export const ALLOWED_WHILE_TWO_FACTOR_ENROLMENT = 'steward:allowedWhileTwoFactorEnrolment';

/**
 * A route a session that owes a required two-factor enrolment may use (enrolment, sign-out,
 * the password change, reading one's own account).
 */
export const AllowedWhileTwoFactorEnrolment = (): MethodDecorator =>
  SetMetadata(ALLOWED_WHILE_TWO_FACTOR_ENROLMENT, true);

export const REQUIRE_RECENT_AUTHENTICATION = 'steward:requireRecentAuthentication';

/**
 * A sensitive route (ASVS V3.7.1): a cookie session must have proven the password (and second
 * factor) within STEWARD_REAUTH_WINDOW, else 403 `ReauthenticationRequired` and the client
 * calls `POST /api/v2/session/reauthenticate`. API tokens are not asked (they cannot answer).
 */
export const RequireRecentAuthentication = (): MethodDecorator =>
  applyDecorators(
    SetMetadata(REQUIRE_RECENT_AUTHENTICATION, true),
    UseFilters(ReauthenticationRequiredFilter),
  );
