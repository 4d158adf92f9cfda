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
import { LoginThrottle } from './login-throttle';

export const SIGN_IN_UNAVAILABLE = 'Sign-in is unavailable right now; try again shortly';

/**
 * The production shape's throttle: counters in Redis, shared by every server process. Failures
 * are counted in fixed windows (`…:count:<window number>`); a lock holds its end time (by the
 * Clock) and expires from Redis after the lockout. Accounts and addresses appear in keys only
 * as SHA-256 digests, so Redis holds no email address.
 */
@Injectable()
export class RedisLoginThrottle extends LoginThrottle implements OnApplicationShutdown {
  private readonly logger = new Logger('SignInThrottle');
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
    this.prefix = `${config.redisPrefix}:sign-in`;
  }

  async retryAfterMs(account: string, ip: string | null): Promise<number> {
    const keys = subjects(account, ip).map((subject) => this.lockKey(subject));
    const values = await this.call(() => this.redis.mget(...keys));
    const now = this.clock.now().getTime();
    return Math.max(0, ...values.map((value) => (value === null ? 0 : Number(value) - now)));
  }

  async fail(account: string, ip: string | null): Promise<void> {
    const { accountMaxFailures, ipMaxFailures } = this.config.signInThrottle;
    await this.call(() => this.count(accountSubject(account), accountMaxFailures));
    if (ip !== null) await this.call(() => this.count(ipSubject(ip), ipMaxFailures));
  }

  async succeed(account: string): Promise<void> {
    await this.call(() => this.redis.del(this.countKey(accountSubject(account))));
  }

  /**
   * Runs Redis commands; when Redis fails, sign-in fails closed with a 503 rather than going on
   * unthrottled.
   */
  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      this.logger.error(`Redis sign-in throttle failed: ${errorMessage(error)}`);
      throw new StewardError(ErrorCode.Unavailable, SIGN_IN_UNAVAILABLE);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status !== 'end' && this.redis.status !== 'wait') await this.redis.quit();
    else this.redis.disconnect();
  }

  private async count(subject: string, max: number): Promise<void> {
    const { windowMs, lockoutMs } = this.config.signInThrottle;
    const key = this.countKey(subject);
    const [[, failures] = [null, 0]] =
      (await this.redis.multi().incr(key).pexpire(key, windowMs).exec()) ?? [];
    if (Number(failures) < max) return;
    const lockedUntil = this.clock.now().getTime() + lockoutMs;
    await this.redis
      .multi()
      .set(this.lockKey(subject), String(lockedUntil), 'PX', lockoutMs)
      .del(key)
      .exec();
  }

  private countKey(subject: string): string {
    const window = Math.floor(this.clock.now().getTime() / this.config.signInThrottle.windowMs);
    return `${this.prefix}:count:${window}:${subject}`;
  }

  private lockKey(subject: string): string {
    return `${this.prefix}:lock:${subject}`;
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

function accountSubject(account: string): string {
  return `account:${digest(account)}`;
}

function ipSubject(ip: string): string {
  return `ip:${digest(ip)}`;
}

function subjects(account: string, ip: string | null): string[] {
  return ip === null ? [accountSubject(account)] : [accountSubject(account), ipSubject(ip)];
}
