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
import {
  emailSubject,
  ipSubject,
  PASSWORD_RESET_LIMITS,
  PasswordResetThrottle,
  type PasswordResetLimits,
} from './password-reset-throttle';

export const PASSWORD_RESET_UNAVAILABLE =
  'Password reset is unavailable right now; try again shortly';

/**
 * The production shape's password reset throttle: counters in Redis, shared by every server
 * process, one key per subject and window (`…:password-reset:<window number>:<digest>`),
 * expiring with the window.
 */
@Injectable()
export class RedisPasswordResetThrottle
  extends PasswordResetThrottle
  implements OnApplicationShutdown
{
  private readonly logger = new Logger('PasswordResetThrottle');
  private readonly redis: IORedis.Redis;
  private readonly prefix: string;

  constructor(
    private readonly clock: Clock,
    @Inject(STEWARD_CONFIG) config: StewardConfig,
    private readonly limits: PasswordResetLimits = PASSWORD_RESET_LIMITS,
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
    this.prefix = `${config.redisPrefix}:password-reset`;
  }

  async admit(email: string, ip: string | null): Promise<boolean> {
    const window = Math.floor(this.clock.now().getTime() / this.limits.windowMs);
    const subjects = ip === null ? [emailSubject(email)] : [emailSubject(email), ipSubject(ip)];
    const multi = this.redis.multi();
    for (const subject of subjects) {
      const key = `${this.prefix}:${window}:${subject}`;
      multi.incr(key).pexpire(key, this.limits.windowMs);
    }
    let replies: Array<[Error | null, unknown]>;
    try {
      replies = (await multi.exec()) ?? [];
    } catch (error) {
      // Fail closed: no reset mail goes out uncounted.
      this.logger.error(`Redis password reset throttle failed: ${errorMessage(error)}`);
      throw new StewardError(ErrorCode.Unavailable, PASSWORD_RESET_UNAVAILABLE);
    }
    const emailCount = Number(replies[0]?.[1] ?? 0);
    const ipCount = ip === null ? 0 : Number(replies[2]?.[1] ?? 0);
    return emailCount <= this.limits.perEmail && ipCount <= this.limits.perIp;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status !== 'end' && this.redis.status !== 'wait') await this.redis.quit();
    else this.redis.disconnect();
  }
}
