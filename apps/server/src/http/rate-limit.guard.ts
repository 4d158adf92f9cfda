import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { currentUserOf } from './current-user';
import { ApiRateLimiter } from './rate-limit';

/**
 * Zendesk's per-minute API rate limit, after the AuthGuard (registered after it): each API
 * request counts against its caller — the signed-in user, whichever token or session they use,
 * or the address of an anonymous caller — and one over the limit is answered 429 with
 * `Retry-After`. Every API response carries Zendesk's `X-Rate-Limit` and
 * `X-Rate-Limit-Remaining`. Health checks (outside `/api/`) are not counted.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limiter: ApiRateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    if (!request.path.startsWith('/api/')) return true;
    const user = currentUserOf(request);
    const caller = user ? `user:${user.id}` : `ip:${request.ip ?? 'unknown'}`;
    const decision = await this.limiter.hit(caller);
    const response = http.getResponse<Response>();
    response.setHeader('X-Rate-Limit', String(decision.limit));
    response.setHeader('X-Rate-Limit-Remaining', String(decision.remaining));
    if (decision.allowed) return true;
    response.setHeader('Retry-After', String(decision.retryAfterSeconds));
    throw new HttpException(
      `API rate limit exceeded: at most ${decision.limit} requests a minute; retry after ${decision.retryAfterSeconds} seconds`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
