import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { currentUserOf } from '../http/current-user';
import { ApiRateLimiter } from '../http/rate-limit';

/** Zendesk's limit on incremental exports: requests a minute per user, on top of the API's. */
export const INCREMENTAL_EXPORT_RATE_LIMIT = 10;

/**
 * The incremental export's own per-minute limit, counted per user across both export routes
 * (and, in the production shape, across servers); one over it is answered 429 with
 * `Retry-After`. Runs after the AuthGuard and the API rate limit, so only callers allowed to
 * export are counted.
 */
@Injectable()
export class IncrementalRateLimitGuard implements CanActivate {
  constructor(private readonly limiter: ApiRateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const user = currentUserOf(http.getRequest<Request>());
    if (!user) return true;
    const decision = await this.limiter.hit(
      `incremental-export:user:${user.id}`,
      INCREMENTAL_EXPORT_RATE_LIMIT,
    );
    if (decision.allowed) return true;
    http.getResponse<Response>().setHeader('Retry-After', String(decision.retryAfterSeconds));
    throw new HttpException(
      `Incremental export rate limit exceeded: at most ${decision.limit} requests a minute; retry after ${decision.retryAfterSeconds} seconds`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
