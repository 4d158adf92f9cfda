import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  ApiTokenService,
  PolicyService,
  ReauthenticationRequiredError,
  SessionService,
  type ActiveSession,
  type UserEntity,
} from '@steward/identity';
import { ErrorCode, STEWARD_CONFIG, StewardError, type StewardConfig } from '@steward/platform';
import type { Request, Response } from 'express';
import { CSRF_HEADER, parseCookies, SESSION_COOKIE } from '../auth/cookies';
import {
  ALLOWED_WHILE_PASSWORD_MUST_CHANGE,
  ALLOWED_WHILE_TWO_FACTOR_ENROLMENT,
  ALLOWED_WHILE_TWO_FACTOR_PENDING,
  REQUIRE_RECENT_AUTHENTICATION,
  SAME_ORIGIN_ONLY,
  setCurrentSession,
} from '../auth/current-session';
import { parseAuthorization } from './credentials';
import { setCurrentUser } from './current-user';
import { routePolicy } from './route-policy';

/** Sent with every 401, as RFC 9110 asks, naming the scheme Zendesk clients use. */
export const WWW_AUTHENTICATE = 'Basic realm="Steward API", charset="UTF-8"';
const FORBIDDEN = 'You do not have access to this resource';
const CSRF_INVALID = 'CSRF token missing or invalid';
const MUST_CHANGE_PASSWORD = 'Change your password first (POST /api/v2/session/password)';
const TWO_FACTOR_PENDING = 'Enter your two-factor code first (POST /api/v2/session/two_factor)';
const TWO_FACTOR_ENROLMENT =
  'Set up two-factor authentication first (POST /api/v2/users/me/two_factor)';
/** Methods that change state: with a session cookie they need the CSRF token (ASVS V4.2.2). */
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Default deny, for every route: `@Public()` routes pass; the others need an API token
 * (`Basic base64(email/token:TOKEN)` or `Bearer TOKEN`) or, without an Authorization header, a
 * web session cookie (with the CSRF token on unsafe methods), of a user the policy grants the
 * route's `@RequirePermission()`; a route that declares neither is refused. A session that
 * still owes a second factor or its enrolment reaches only the routes marked for that, and
 * `@RequireRecentAuthentication()` routes need a recent password from a session.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('Authorization');

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokenService,
    private readonly policy: PolicyService,
    private readonly sessions: SessionService,
    @Inject(STEWARD_CONFIG) config: StewardConfig,
  ) {
    this.origin = new URL(config.publicUrl).origin;
  }

  /** The web app's origin (STEWARD_PUBLIC_URL): the only Origin a cookie request may come from. */
  private readonly origin: string;

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const handler = context.getHandler();
    const controller = context.getClass();
    const policy = routePolicy(this.reflector, handler, controller);
    if (policy.kind === 'public') {
      // Sign-in and password reset: no cross-site form may post them (login CSRF).
      if (this.reflector.get<unknown>(SAME_ORIGIN_ONLY, handler) === true) {
        const origin = context.switchToHttp().getRequest<Request>().headers.origin;
        if (origin !== undefined && origin !== this.origin) {
          throw new StewardError(ErrorCode.Forbidden, CSRF_INVALID);
        }
      }
      return true;
    }
    if (context.getType() !== 'http') throw new StewardError(ErrorCode.Forbidden, FORBIDDEN);
    if (policy.kind === 'undeclared') {
      this.logger.warn(
        `${controller.name}.${handler.name} declares neither @Public() nor @RequirePermission(); refused`,
      );
      throw new StewardError(ErrorCode.Forbidden, FORBIDDEN);
    }
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    // An Authorization header wins; without one, the web session cookie.
    const session =
      request.headers.authorization === undefined
        ? await this.authenticateSession(request)
        : undefined;
    const user = session?.user ?? (await this.authenticate(request.headers.authorization));
    if (!user) {
      http.getResponse<Response>().setHeader('WWW-Authenticate', WWW_AUTHENTICATE);
      // Zendesk's body, and the same for an unknown email, a wrong token or a revoked one.
      throw new StewardError(ErrorCode.Unauthenticated, '');
    }
    if (session) {
      this.checkCsrf(request, session);
      this.checkPendingStep(session, handler);
      const allowed = this.reflector.get<unknown>(ALLOWED_WHILE_PASSWORD_MUST_CHANGE, handler);
      if (session.mustChangePassword && allowed !== true) {
        throw new StewardError(ErrorCode.Forbidden, MUST_CHANGE_PASSWORD);
      }
      setCurrentSession(request, session);
    }
    if (!this.policy.can(user, policy.permission)) {
      throw new StewardError(ErrorCode.Forbidden, FORBIDDEN);
    }
    if (
      session &&
      this.reflector.get<unknown>(REQUIRE_RECENT_AUTHENTICATION, handler) === true &&
      !this.sessions.isRecentlyAuthenticated(session)
    ) {
      throw new ReauthenticationRequiredError();
    }
    setCurrentUser(request, user);
    return true;
  }

  /**
   * A session that owes its second factor may only give it (or sign out); one that owes a
   * required enrolment may only enrol, sign out, change its password and read its own account.
   */
  private checkPendingStep(
    session: ActiveSession,
    handler: ReturnType<ExecutionContext['getHandler']>,
  ): void {
    if (session.pendingStep === 'two_factor') {
      if (this.reflector.get<unknown>(ALLOWED_WHILE_TWO_FACTOR_PENDING, handler) !== true) {
        throw new StewardError(ErrorCode.Forbidden, TWO_FACTOR_PENDING);
      }
    } else if (
      session.pendingStep === 'two_factor_enrolment' &&
      this.reflector.get<unknown>(ALLOWED_WHILE_TWO_FACTOR_ENROLMENT, handler) !== true
    ) {
      throw new StewardError(ErrorCode.Forbidden, TWO_FACTOR_ENROLMENT);
    }
  }

  private async authenticateSession(request: Request): Promise<ActiveSession | undefined> {
    const token = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
    return token === undefined ? undefined : this.sessions.authenticate(token);
  }

  /** Unsafe methods with a cookie: the session's CSRF token, and our own Origin when sent. */
  private checkCsrf(request: Request, session: ActiveSession): void {
    if (!UNSAFE_METHODS.has(request.method.toUpperCase())) return;
    const origin = request.headers.origin;
    const token = request.headers[CSRF_HEADER];
    if (
      (origin !== undefined && origin !== this.origin) ||
      !this.sessions.verifyCsrfToken(session.id, typeof token === 'string' ? token : undefined)
    ) {
      throw new StewardError(ErrorCode.Forbidden, CSRF_INVALID);
    }
  }

  private async authenticate(
    header: string | undefined,
  ): Promise<Readonly<UserEntity> | undefined> {
    const credentials = parseAuthorization(header);
    if (!credentials) return undefined;
    return credentials.kind === 'bearer'
      ? this.tokens.authenticate(credentials.token)
      : this.tokens.authenticateBasic(credentials.email, credentials.token);
  }
}
