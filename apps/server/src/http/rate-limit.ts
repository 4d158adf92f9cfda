import { Inject, Injectable } from '@nestjs/common';
import { Clock, STEWARD_CONFIG, type StewardConfig } from '@steward/platform';

/** The API rate limit's window: `STEWARD_API_RATE_LIMIT` requests per minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/** Above this many counters, those of past windows are dropped before a new one is added. */
const MAX_COUNTERS = 100_000;

/** What counting one request decided, with what the response headers say. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Requests allowed per window (`X-Rate-Limit`). */
  readonly limit: number;
  /** Requests left in this window after this one (`X-Rate-Limit-Remaining`). */
  readonly remaining: number;
  /** Seconds until the window ends and the count starts again (`Retry-After` when refused). */
  readonly retryAfterSeconds: number;
}

/**
 * API requests per caller in fixed one-minute windows (Zendesk's per-minute limit). A caller is
 * a string such as `user:42` or `ip:192.0.2.1`; adapters keep it out of logs.
 */
export abstract class ApiRateLimiter {
  /**
   * Counts one request of the caller and says whether it is within the limit: `limit` requests
   * a window, `STEWARD_API_RATE_LIMIT` unless a route sets its own.
   */
  abstract hit(caller: string, limit?: number): Promise<RateLimitDecision>;
}

/** The window a time falls in, and what a count in it decides. */
export function windowOf(now: number): { readonly index: number; readonly endsAt: number } {
  const index = Math.floor(now / RATE_LIMIT_WINDOW_MS);
  return { index, endsAt: (index + 1) * RATE_LIMIT_WINDOW_MS };
}

export function decide(count: number, limit: number, now: number): RateLimitDecision {
  return {
    allowed: count <= limit,
    limit,
    remaining: Math.max(0, limit - count),
    retryAfterSeconds: Math.max(1, Math.ceil((windowOf(now).endsAt - now) / 1000)),
  };
}

/** The embedded shape's limiter: counters in this process's memory; a restart clears them. */
@Injectable()
export class MemoryApiRateLimiter extends ApiRateLimiter {
  private readonly counters = new Map<string, { window: number; count: number }>();

  constructor(
    private readonly clock: Clock,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {
    super();
  }

  hit(caller: string, limit = this.config.apiRateLimit): Promise<RateLimitDecision> {
    const now = this.clock.now().getTime();
    const { index } = windowOf(now);
    let counter = this.counters.get(caller);
    if (!counter || counter.window !== index) {
      if (!counter) this.makeRoom(index);
      counter = { window: index, count: 0 };
      this.counters.set(caller, counter);
    }
    counter.count += 1;
    return Promise.resolve(decide(counter.count, limit, now));
  }

  private makeRoom(window: number): void {
    if (this.counters.size < MAX_COUNTERS) return;
    for (const [key, counter] of this.counters) {
      if (counter.window !== window) this.counters.delete(key);
    }
    const oldest = this.counters.keys().next();
    if (this.counters.size >= MAX_COUNTERS && !oldest.done) this.counters.delete(oldest.value);
  }
}
