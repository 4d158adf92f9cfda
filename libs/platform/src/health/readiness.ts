import { errorMessage } from '../errors/error-message';
import { Injectable } from '@nestjs/common';

export interface CheckResult {
  readonly status: 'up' | 'down';
  readonly message?: string;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, CheckResult>>;
}

/** A named probe; it resolves when healthy and throws an Error saying what is wrong. */
export type ReadinessProbe = () => Promise<void>;

const PROBE_TIMEOUT_MS = 2_000;

/**
 * What `/readyz` reports: every lib registers its probes (database, Redis, storage, …);
 * a process that is shutting down is never ready.
 */
@Injectable()
export class Readiness {
  private readonly probes = new Map<string, ReadinessProbe>();
  private draining = false;

  register(name: string, probe: ReadinessProbe): void {
    if (this.probes.has(name)) throw new Error(`readiness probe ${name} registered twice`);
    this.probes.set(name, probe);
  }

  beginShutdown(): void {
    this.draining = true;
  }

  get shuttingDown(): boolean {
    return this.draining;
  }

  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.probes].map(async ([name, probe]) => [name, await runProbe(probe)] as const),
    );
    const checks: Record<string, CheckResult> = Object.fromEntries(entries);
    if (this.draining) checks.shutdown = { status: 'down', message: 'shutting down' };
    return { ready: Object.values(checks).every((c) => c.status === 'up'), checks };
  }
}

async function runProbe(probe: ReadinessProbe): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)),
      PROBE_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([probe(), timeout]);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', message: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}
