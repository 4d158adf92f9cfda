import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '@steward/platform';

/** Password reset requests allowed per email address and per IP address within the window. */
export interface PasswordResetLimits {
  readonly perEmail: number;
  readonly perIp: number;
  readonly windowMs: number;
}

export const PASSWORD_RESET_LIMITS: PasswordResetLimits = {
  perEmail: 5,
  perIp: 20,
  windowMs: 60 * 60_000,
};

/** Above this many counters, those of past windows are dropped before a new one is added. */
const MAX_COUNTERS = 100_000;

/**
 * Password reset requests per email address and per IP address, counted in fixed windows,
 * whether or not the address has an account (so the limit reveals nothing). Over a limit the
 * request is answered like any other and nothing is sent: no mail flood to one inbox, no
 * token spraying from one address. Keys are SHA-256 digests, never addresses.
 */
export abstract class PasswordResetThrottle {
  /** Counts a request for the email (normalised) from the IP; false when over either limit. */
  abstract admit(email: string, ip: string | null): Promise<boolean>;
}

/** The embedded shape's throttle: in this process's memory; a restart clears it. */
@Injectable()
export class MemoryPasswordResetThrottle extends PasswordResetThrottle {
  private readonly counters = new Map<string, { window: number; count: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: PasswordResetLimits = PASSWORD_RESET_LIMITS,
  ) {
    super();
  }

  admit(email: string, ip: string | null): Promise<boolean> {
    const window = Math.floor(this.clock.now().getTime() / this.limits.windowMs);
    const emailCount = this.count(emailSubject(email), window);
    const ipCount = ip === null ? 0 : this.count(ipSubject(ip), window);
    return Promise.resolve(emailCount <= this.limits.perEmail && ipCount <= this.limits.perIp);
  }

  private count(subject: string, window: number): number {
    let counter = this.counters.get(subject);
    if (!counter || counter.window !== window) {
      if (!counter) this.makeRoom(window);
      counter = { window, count: 0 };
      this.counters.set(subject, counter);
    }
    counter.count += 1;
    return counter.count;
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

export function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function emailSubject(email: string): string {
  return `email:${digest(email)}`;
}

export function ipSubject(ip: string): string {
  return `ip:${digest(ip)}`;
}
