import { errorMessage } from '@steward/platform';
import { CronExpressionParser } from 'cron-parser';
import { JobQueueError } from './job-queue';

/** Validates a job payload on receipt: returns it typed, or throws saying what is wrong. */
export type PayloadParser<T> = (input: unknown) => T;

/** What `@JobHandler` declares about a job. */
export interface JobHandlerOptions<T> {
  /** Dotted and lower case, saying what happens: `mail.ingest`, `privacy.export`. */
  readonly name: string;
  /**
   * Parses the payload when the job is received. A throw fails the job permanently (no retry)
   * and is logged with the error's message but never the payload, so the message must not echo
   * the input.
   */
  readonly payload: PayloadParser<T>;
  /** Jobs of this name run at once per process (default 1). */
  readonly concurrency?: number;
  /** Runs before the job fails for good (default 5); 1 means no retry. */
  readonly attempts?: number;
  /** First retry delay; retry n waits `backoffMs * 2^(n-1)` (default 1,000 ms). */
  readonly backoffMs?: number;
  /**
   * Runs the job on this cron schedule (5 fields, or 6 with seconds first), in UTC, once per
   * tick across all workers. Scheduled runs carry an empty payload `{}`: use `noPayload`.
   */
  readonly cron?: string;
}

export const JOB_DEFAULTS = { concurrency: 1, attempts: 5, backoffMs: 1_000 } as const;

/** A job name bound to the code that runs it; built by `@JobHandler` discovery or `defineJob`. */
export interface JobDefinition {
  readonly name: string;
  readonly concurrency: number;
  readonly attempts: number;
  readonly backoffMs: number;
  readonly cron?: string;
  /** Where the handler was declared (`TicketService.ingest`), for boot errors. */
  readonly source: string;
  /** Parses the payload (throws when invalid) and returns the work to run. */
  prepare(input: unknown): () => Promise<void>;
}

const JOB_NAME = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*(?:\.[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*)+$/;
const JOB_ID = /^[A-Za-z0-9._-]{1,128}$/;
const MAX_DELAY_MS = 365 * 24 * 3_600_000;

/** Checks a job name: dotted lower-case words, as in `mail.ingest`. */
export function assertJobName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length > 100 || !JOB_NAME.test(name)) {
    throw new JobQueueError(
      `job name ${JSON.stringify(name)} is malformed: expected dotted lower-case words such as "mail.ingest"`,
    );
  }
}

/** Checks a job id the same way for every adapter (BullMQ forbids `:` in ids). */
export function assertJobId(jobId: unknown): asserts jobId is string {
  if (typeof jobId !== 'string' || !JOB_ID.test(jobId)) {
    const reason = typeof jobId === 'string' && jobId.includes(':') ? ' (":" is not allowed)' : '';
    throw new JobQueueError(
      `job id is malformed${reason}: expected 1–128 letters, digits, ".", "_" or "-"`,
    );
  }
}

/** Checks an enqueue delay: whole milliseconds, up to a year. */
export function assertDelay(delayMs: unknown): asserts delayMs is number {
  if (
    typeof delayMs !== 'number' ||
    !Number.isInteger(delayMs) ||
    delayMs < 0 ||
    delayMs > MAX_DELAY_MS
  ) {
    throw new JobQueueError(`delayMs must be whole milliseconds from 0 to ${MAX_DELAY_MS}`);
  }
}

function assertInteger(
  name: string,
  field: string,
  value: unknown,
  min: number,
  max: number,
): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new JobQueueError(`job ${name}: ${field} must be a whole number from ${min} to ${max}`);
  }
}

/** Checks a cron pattern as both adapters read it (cron-parser, seconds allowed). */
export function assertCron(name: string, cron: unknown): asserts cron is string {
  if (typeof cron !== 'string' || cron.trim() === '') {
    throw new JobQueueError(`job ${name}: cron must be a cron pattern such as "*/5 * * * *"`);
  }
  try {
    CronExpressionParser.parse(cron, { tz: 'UTC' });
  } catch (error) {
    throw new JobQueueError(
      `job ${name}: cron "${cron}" is not a valid pattern: ${errorMessage(error)}`,
    );
  }
}

/** Validates what a handler declares; throws JobQueueError naming the job and the field. */
export function assertHandlerOptions<T>(options: JobHandlerOptions<T>): void {
  assertJobName(options.name);
  if (typeof options.payload !== 'function') {
    throw new JobQueueError(
      `job ${options.name}: payload must be a function that validates the payload`,
    );
  }
  if (options.concurrency !== undefined) {
    assertInteger(options.name, 'concurrency', options.concurrency, 1, 1_000);
  }
  if (options.attempts !== undefined)
    assertInteger(options.name, 'attempts', options.attempts, 1, 100);
  if (options.backoffMs !== undefined) {
    assertInteger(options.name, 'backoffMs', options.backoffMs, 0, 86_400_000);
  }
  if (options.cron !== undefined) assertCron(options.name, options.cron);
}

/**
 * Binds a handler to its options. `@JobHandler` discovery builds definitions this way; tests and
 * benchmarks call it directly to build an adapter without Nest.
 */
export function defineJob<T>(
  options: JobHandlerOptions<T>,
  handle: (payload: T) => unknown,
  source: string = options.name,
): JobDefinition {
  assertHandlerOptions(options);
  const parse = options.payload;
  return Object.freeze({
    name: options.name,
    concurrency: options.concurrency ?? JOB_DEFAULTS.concurrency,
    attempts: options.attempts ?? JOB_DEFAULTS.attempts,
    backoffMs: options.backoffMs ?? JOB_DEFAULTS.backoffMs,
    cron: options.cron,
    source,
    prepare(input: unknown): () => Promise<void> {
      const payload = parse(input);
      return async () => {
        await handle(payload);
      };
    },
  });
}

/**
 * The job definitions of a process, exactly one per job name. Loaded lazily (Nest discovery runs
 * once every provider exists) and checked on first use; `QueueModule` uses it at boot so that a
 * duplicate name stops the process.
 */
export class JobRegistry {
  private byName?: ReadonlyMap<string, JobDefinition>;

  constructor(private readonly load: () => Iterable<JobDefinition>) {}

  static of(definitions: Iterable<JobDefinition>): JobRegistry {
    const list = [...definitions];
    return new JobRegistry(() => list);
  }

  /** Every definition, in declaration order. Throws on a duplicate job name. */
  all(): readonly JobDefinition[] {
    return [...this.map().values()];
  }

  /** The definition of `name`. Throws JobQueueError when no handler is declared for it. */
  get(name: string): JobDefinition {
    const definition = this.map().get(name);
    if (definition === undefined) {
      throw new JobQueueError(
        `no handler is declared for job ${JSON.stringify(name)}: add @JobHandler({ name: ${JSON.stringify(name)}, … }) to a method of a provider of this application`,
      );
    }
    return definition;
  }

  private map(): ReadonlyMap<string, JobDefinition> {
    if (this.byName) return this.byName;
    const byName = new Map<string, JobDefinition>();
    for (const definition of this.load()) {
      const existing = byName.get(definition.name);
      if (existing) {
        throw new JobQueueError(
          `job ${definition.name} has two handlers, ${existing.source} and ${definition.source}: exactly one handler per job name`,
        );
      }
      byName.set(definition.name, definition);
    }
    this.byName = byName;
    return byName;
  }
}
