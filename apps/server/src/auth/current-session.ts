import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { ActiveSession } from '@steward/identity';
import { ErrorCode, StewardError } from '@steward/platform';

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
