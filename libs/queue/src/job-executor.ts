import { errorMessage } from '@steward/platform';
import type { LoggerService } from '@nestjs/common';
import type { Metrics } from '@steward/platform';
import type { JobDefinition } from './job-definition';
import { PermanentJobError } from './job-queue';

/** How one attempt of a job ended, and what the adapter must do next. */
export type AttemptOutcome =
  | { readonly kind: 'completed' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly error: unknown }
  | {
      readonly kind: 'failed';
      readonly reason: 'invalid-payload' | 'permanent' | 'exhausted';
      readonly error: unknown;
    };

/** The retry delay after failed attempt `attempt` (1-based): `backoffMs * 2^(attempt-1)`. */
export function backoffDelay(backoffMs: number, attempt: number): number {
  return backoffMs * 2 ** (attempt - 1);
}

interface JobMeters {
  readonly completed: { inc(): void };
  readonly retried: { inc(): void };
  readonly failed: { inc(): void };
  readonly duration: { observe(seconds: number): void };
}

/**
 * Runs one attempt of a job the same way for every adapter: parses the payload (an invalid one
 * fails permanently and is logged without its content), runs the handler, decides between
 * completed, retry with exponential backoff and failed, and counts it. Never rejects.
 */
export class JobExecutor {
  private readonly meters = new Map<string, JobMeters>();

  constructor(
    private readonly logger: LoggerService,
    private readonly metrics?: Metrics,
  ) {}

  async attempt(
    definition: JobDefinition,
    input: unknown,
    attempt: number,
    ref: string,
  ): Promise<AttemptOutcome> {
    const meters = this.metersFor(definition.name);
    let work: () => Promise<void>;
    try {
      work = definition.prepare(input);
    } catch (error) {
      meters?.failed.inc();
      this.logger.error(
        `job ${definition.name} ${ref}: payload rejected, failed without retry: ${errorMessage(error)}`,
      );
      return { kind: 'failed', reason: 'invalid-payload', error };
    }

    const started = performance.now();
    try {
      await work();
      meters?.duration.observe((performance.now() - started) / 1_000);
      meters?.completed.inc();
      return { kind: 'completed' };
    } catch (error) {
      meters?.duration.observe((performance.now() - started) / 1_000);
      if (error instanceof PermanentJobError) {
        meters?.failed.inc();
        this.logger.error(
          `job ${definition.name} ${ref}: failed permanently on attempt ${attempt}: ${errorMessage(error)}`,
        );
        return { kind: 'failed', reason: 'permanent', error };
      }
      if (attempt >= definition.attempts) {
        meters?.failed.inc();
        this.logger.error(
          `job ${definition.name} ${ref}: failed after ${attempt} attempts: ${errorMessage(error)}`,
        );
        return { kind: 'failed', reason: 'exhausted', error };
      }
      const delayMs = backoffDelay(definition.backoffMs, attempt);
      meters?.retried.inc();
      this.logger.warn(
        `job ${definition.name} ${ref}: attempt ${attempt} of ${definition.attempts} failed, retrying in ${delayMs} ms: ${errorMessage(error)}`,
      );
      return { kind: 'retry', delayMs, error };
    }
  }

  private metersFor(job: string): JobMeters | undefined {
    if (!this.metrics) return undefined;
    let meters = this.meters.get(job);
    if (!meters) {
      const { jobsTotal, jobDuration } = this.metrics;
      meters = {
        completed: jobsTotal.labels({ job, outcome: 'completed' }),
        retried: jobsTotal.labels({ job, outcome: 'retried' }),
        failed: jobsTotal.labels({ job, outcome: 'failed' }),
        duration: jobDuration.labels({ job }),
      };
      this.meters.set(job, meters);
    }
    return meters;
  }
}
