import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  Clock,
  ErrorCode,
  errorMessage,
  STEWARD_CONFIG,
  StewardError,
  type StewardConfig,
} from '@steward/platform';
import type * as IORedis from 'ioredis';
import { ApiRateLimiter, decide, type RateLimitDecision, windowOf } from './rate-limit';

export const API_UNAVAILABLE = 'The API is unavailable right now; try again shortly';

/**
 * The production shape's limiter: one counter per caller and window in Redis, shared by every
 * server process, so the limit holds however many servers a caller's requests are spread over.
 * Callers appear in keys only as SHA-256 digests (no address or user id in Redis), and a
 * counter expires a little after its window ends.
 */
@Injectable()
export class RedisApiRateLimiter extends ApiRateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger('ApiRateLimit');
  private readonly redis: IORedis.Redis;
  private readonly prefix: string;

  constructor(
    private readonly clock: Clock,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {
    super();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- only the production shape needs it
    const { Redis } = require('ioredis') as typeof IORedis;
    this.redis = new Redis(config.redisUrl ?? '', {
      maxRetriesPerRequest: 1,
      lazyConnect: true,
      connectTimeout: 5_000,
      commandTimeout: 5_000,
    });
    this.prefix = `${config.redisPrefix}:api-rate`;
  }

  /**
   * Counts the request; when Redis fails, the API fails closed with a 503 rather than going on
   * unlimited.
   */
  async hit(caller: string, limit = this.config.apiRateLimit): Promise<RateLimitDecision> {
    const now = this.clock.now().getTime();
    const window = windowOf(now);
    const key = `${this.prefix}:${window.index}:${digest(caller)}`;
    let count: number;
    try {
      const [[error, value] = [null, 0]] =
        (await this.redis
          .multi()
          .incr(key)
          // Relative, so that Redis's clock and ours need not agree.
          .pexpire(key, window.endsAt - now + 5_000)
          .exec()) ?? [];
      if (error) throw error;
      count = Number(value);
    } catch (error) {
      this.logger.error(`Redis API rate limit failed: ${errorMessage(error)}`);
      throw new StewardError(ErrorCode.Unavailable, API_UNAVAILABLE);
    }
    return decide(count, limit, now);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status !== 'end' && this.redis.status !== 'wait') await this.redis.quit();
    else this.redis.disconnect();
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
