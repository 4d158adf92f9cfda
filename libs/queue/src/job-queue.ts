/** Options of one enqueue. */
export interface EnqueueOptions {
  /**
   * De-duplicates: while a job of the same name with this id is waiting, delayed or running, a
   * second enqueue with the id is a no-op. A finished job (completed or failed) no longer counts.
   * Letters, digits and `.` `_` `-` only (BullMQ forbids `:`), at most 128 characters.
   */
  readonly jobId?: string;
  /** Run no earlier than this many milliseconds from now. */
  readonly delayMs?: number;
}

/** One item of a bulk enqueue. */
export interface BulkJob {
  readonly payload: object;
  readonly jobId?: string;
}

/** What a drain left behind. */
export interface DrainResult {
  /** True when every running job finished before the deadline. */
  readonly drained: boolean;
  /** Jobs still running when the drain returned (0 when drained). */
  readonly running: number;
}

/**
 * The job queue port. Work in Steward is a database row first and a job second: a job only
 * says "go and do work N", so payloads carry ids, never personal data, and a lost job is found
 * again by the owner's sweeper. Handlers are declared with `@JobHandler`; `QueueModule` picks the
 * adapter (BullMQ in production, in-process otherwise) and drives the lifecycle methods.
 */
export abstract class JobQueue {
  /**
   * Queues one job. Resolves true when it was queued, false when a job with the same `jobId` is
   * still waiting, delayed or running. Rejects at once, before any I/O, when no handler is
   * declared for `name` or an option is malformed.
   */
  abstract enqueue(name: string, payload: object, options?: EnqueueOptions): Promise<boolean>;

  /** Queues many jobs of one name (sweepers, benchmarks). Resolves how many were queued. */
  abstract enqueueMany(name: string, items: readonly BulkJob[]): Promise<number>;

  /** Jobs waiting or delayed (including those waiting for a retry), per job name. */
  abstract depth(): Promise<Record<string, number>>;

  /** Starts running handlers (and cron schedules) in this process. */
  abstract startConsuming(): Promise<void>;

  /**
   * Stops taking jobs and waits for the running ones, for at most `deadlineMs` milliseconds.
   * Jobs still running at the deadline are left to recovery (BullMQ's stalled-job check, or the
   * owner's sweeper in-process).
   */
  abstract drain(deadlineMs: number): Promise<DrainResult>;

  /** Releases timers and connections. Enqueueing afterwards rejects. */
  abstract close(): Promise<void>;
}

/** Throw from a handler to fail the job at once, without retry (bad input, a gone row). */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** A job name, option or declaration that cannot work: a programming error, never retried. */
export class JobQueueError extends Error {
  override name = 'JobQueueError';
}

/** Redis did not answer in time: the job was not queued; its row waits for the sweeper. */
export class QueueUnavailableError extends Error {
  override name = 'QueueUnavailableError';
}
