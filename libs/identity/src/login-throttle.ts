import { Inject, Injectable } from '@nestjs/common';
import { Clock, STEWARD_CONFIG, type StewardConfig } from '@steward/platform';

interface Counter {
  windowStart: number;
  failures: number;
  lockedUntil: number;
}

/** Above this many counters, expired ones are dropped before a new one is added. */
const MAX_COUNTERS = 100_000;

/**
 * Failed sign-ins per account and per IP address (ASVS V2.2.1): after too many within the
 * window, the account or address is refused for the lockout period. Keys are never logged.
 */
export abstract class LoginThrottle {
  /** Milliseconds until the account or the address may try again; 0 when it may now. */
  abstract retryAfterMs(account: string, ip: string | null): Promise<number>;
  /** Counts a failed sign-in against the account and the address. */
  abstract fail(account: string, ip: string | null): Promise<void>;
  /** A successful sign-in clears the account's count (not the address's). */
  abstract succeed(account: string): Promise<void>;
}

/** The embedded shape's throttle: in this process's memory; a restart clears it. */
@Injectable()
export class MemoryLoginThrottle extends LoginThrottle {
  private readonly counters = new Map<string, Counter>();

  constructor(
    private readonly clock: Clock,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {
    super();
  }

  retryAfterMs(account: string, ip: string | null): Promise<number> {
    const now = this.clock.now().getTime();
    const keys = this.keys(account, ip);
    return Promise.resolve(Math.max(0, ...keys.map((key) => this.lockedFor(key, now))));
  }

  fail(account: string, ip: string | null): Promise<void> {
    const { accountMaxFailures, ipMaxFailures } = this.config.signInThrottle;
    this.count(accountKey(account), accountMaxFailures);
    if (ip !== null) this.count(ipKey(ip), ipMaxFailures);
    return Promise.resolve();
  }

  succeed(account: string): Promise<void> {
    this.counters.delete(accountKey(account));
    return Promise.resolve();
  }

  private keys(account: string, ip: string | null): string[] {
    return ip === null ? [accountKey(account)] : [accountKey(account), ipKey(ip)];
  }

  private lockedFor(key: string, now: number): number {
    const counter = this.counters.get(key);
    return counter && counter.lockedUntil > now ? counter.lockedUntil - now : 0;
  }

  private count(key: string, max: number): void {
    const { windowMs, lockoutMs } = this.config.signInThrottle;
    const now = this.clock.now().getTime();
    let counter = this.counters.get(key);
    if (!counter || now - counter.windowStart >= windowMs) {
      if (!counter) this.makeRoom(now);
      counter = { windowStart: now, failures: 0, lockedUntil: counter?.lockedUntil ?? 0 };
      this.counters.set(key, counter);
    }
    counter.failures += 1;
    if (counter.failures >= max) {
      counter.lockedUntil = now + lockoutMs;
      counter.failures = 0;
      counter.windowStart = now;
    }
  }

  private makeRoom(now: number): void {
    if (this.counters.size < MAX_COUNTERS) return;
    const { windowMs } = this.config.signInThrottle;
    for (const [key, counter] of this.counters) {
      if (counter.lockedUntil <= now && now - counter.windowStart >= windowMs) {
        this.counters.delete(key);
      }
    }
    const oldest = this.counters.keys().next();
    if (this.counters.size >= MAX_COUNTERS && !oldest.done) this.counters.delete(oldest.value);
  }
}

function accountKey(account: string): string {
  return `account:${account}`;
}

function ipKey(ip: string): string {
  return `ip:${ip}`;
}
