import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiTokenService, PolicyService, type UserEntity } from '@steward/identity';
import { ErrorCode, StewardError } from '@steward/platform';
import type { Request, Response } from 'express';
import { parseAuthorization } from './credentials';
import { setCurrentUser } from './current-user';
import { routePolicy } from './route-policy';

/** Sent with every 401, as RFC 9110 asks, naming the scheme Zendesk clients use. */
export const WWW_AUTHENTICATE = 'Basic realm="Steward API", charset="UTF-8"';
const FORBIDDEN = 'You do not have access to this resource';

/**
 * Default deny, for every route: `@Public()` routes pass; the others need an API token
 * (`Basic base64(email/token:TOKEN)` or `Bearer TOKEN`) of a user the policy grants the
 * route's `@RequirePermission()`; a route that declares neither is refused.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('Authorization');

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokenService,
    private readonly policy: PolicyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const handler = context.getHandler();
    const controller = context.getClass();
    const policy = routePolicy(this.reflector, handler, controller);
    if (policy.kind === 'public') return true;
    if (context.getType() !== 'http') throw new StewardError(ErrorCode.Forbidden, FORBIDDEN);
    if (policy.kind === 'undeclared') {
      this.logger.warn(
        `${controller.name}.${handler.name} declares neither @Public() nor @RequirePermission(); refused`,
      );
      throw new StewardError(ErrorCode.Forbidden, FORBIDDEN);
    }
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const user = await this.authenticate(request.headers.authorization);
    if (!user) {
      http.getResponse<Response>().setHeader('WWW-Authenticate', WWW_AUTHENTICATE);
      // Zendesk's body, and the same for an unknown email, a wrong token or a revoked one.
      throw new StewardError(ErrorCode.Unauthenticated, '');
    }
    if (!this.policy.can(user, policy.permission)) {
      throw new StewardError(ErrorCode.Forbidden, FORBIDDEN);
    }
    setCurrentUser(request, user);
    return true;
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
