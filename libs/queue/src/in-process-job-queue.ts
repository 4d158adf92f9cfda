import { Logger, type LoggerService } from '@nestjs/common';
import type { Metrics } from '@steward/platform';
import { CronExpressionParser } from 'cron-parser';
import { type JobDefinition, type JobRegistry, assertDelay, assertJobId } from './job-definition';
import { type AttemptOutcome, JobExecutor } from './job-executor';
import {
  type BulkJob,
  type DrainResult,
  type EnqueueOptions,
  JobQueue,
  JobQueueError,
} from './job-queue';
import { TimerSet } from './timers';

export interface InProcessJobQueueOptions {
  readonly registry: JobRegistry;
  readonly metrics?: Metrics;
  readonly logger?: LoggerService;
}

interface PendingJob {
  readonly payload: unknown;
  readonly jobId: string | undefined;
  readonly seq: number;
  attempt: number;
}

/** A first-in first-out list with O(1) shift; compacts itself as it is consumed. */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4_096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

/** The jobs of one name: ready ones in order, and counters for the rest. */
interface Lane {
  readonly definition: JobDefinition;
  readonly ready: Fifo<PendingJob>;
  /** Ids of jobs waiting, delayed or running, for de-duplication. */
  readonly live: Set<string>;
  running: number;
  delayed: number;
}

type State = 'idle' | 'consuming' | 'draining' | 'closed';

/** Jobs started per event-loop turn before yielding to I/O. */
const BATCH = 1_000;
/** De-duplicates cron ticks; ":" keeps it apart from every id a caller may pass. */
const CRON_TICK_ID = 'cron:tick';

/**
 * Runs jobs in this process (the embedded shape and most tests), with the same semantics as the
 * BullMQ adapter: de-duplication by job id, per-name concurrency, retries with exponential
 * backoff, permanent failures, delays and cron schedules.
 *
 * Jobs live only in memory and are lost when the process exits, by design: the durable truth is
 * the database row, and the owner's sweeper enqueues unfinished work again on the next start.
 *
 * Each name has a FIFO and counters; no timer per ready job. Starting is batched on
 * setImmediate, and a finishing job starts the next one directly, up to BATCH per turn. Delays,
 * retries and cron ticks use timers.
 */
export class InProcessJobQueue extends JobQueue {
  private readonly registry: JobRegistry;
  private readonly logger: LoggerService;
  private readonly executor: JobExecutor;
  private lanesByName?: Map<string, Lane>;
  private state: State = 'idle';
  private running = 0;
  private seq = 0;
  private startedThisTurn = 0;
  private pumpScheduled = false;
  private readonly timers = new TimerSet();
  private readonly cronTimers = new TimerSet();
  private idleWaiters: (() => void)[] = [];

  constructor(options: InProcessJobQueueOptions) {
    super();
    this.registry = options.registry;
    this.logger = options.logger ?? new Logger('JobQueue');
    this.executor = new JobExecutor(this.logger, options.metrics);
  }

  override enqueue(name: string, payload: object, options: EnqueueOptions = {}): Promise<boolean> {
    return promised(() => {
      const lane = this.lane(name);
      if (options.jobId !== undefined) assertJobId(options.jobId);
      if (options.delayMs !== undefined) assertDelay(options.delayMs);
      this.assertOpen();
      return this.add(lane, snapshot(payload), options.jobId, options.delayMs ?? 0);
    });
  }

  override enqueueMany(name: string, items: readonly BulkJob[]): Promise<number> {
    return promised(() => {
      const lane = this.lane(name);
      for (const item of items) if (item.jobId !== undefined) assertJobId(item.jobId);
      this.assertOpen();
      let added = 0;
      for (const item of items) {
        if (this.add(lane, snapshot(item.payload), item.jobId, 0)) added += 1;
      }
      return added;
    });
  }

  override depth(): Promise<Record<string, number>> {
    return promised(() => {
      const depth: Record<string, number> = {};
      for (const lane of this.lanes().values()) {
        depth[lane.definition.name] = lane.ready.length + lane.delayed;
      }
      return depth;
    });
  }

  override startConsuming(): Promise<void> {
    return promised(() => {
      this.assertOpen();
      if (this.state === 'consuming') return;
      this.state = 'consuming';
      const now = Date.now();
      for (const lane of this.lanes().values()) this.scheduleCron(lane, now);
      this.schedulePump();
    });
  }

  override async drain(deadlineMs: number): Promise<DrainResult> {
    if (this.state === 'idle' || this.state === 'consuming') this.state = 'draining';
    this.cronTimers.clear();
    if (this.running === 0) return { drained: true, running: 0 };
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), deadlineMs);
      }),
    ]);
    clearTimeout(timer);
    if (!drained) {
      this.logger.warn(
        `${this.running} job(s) still running after ${deadlineMs} ms; they are abandoned (the owners' sweepers enqueue them again)`,
      );
    }
    return { drained, running: this.running };
  }

  override close(): Promise<void> {
    this.state = 'closed';
    this.timers.clear();
    this.cronTimers.clear();
    for (const lane of this.lanesByName?.values() ?? []) lane.ready.clear();
    this.wakeIdleWaiters();
    return Promise.resolve();
  }

  private lanes(): Map<string, Lane> {
    if (!this.lanesByName) {
      this.lanesByName = new Map(
        this.registry.all().map((definition) => [
          definition.name,
          {
            definition,
            ready: new Fifo<PendingJob>(),
            live: new Set<string>(),
            running: 0,
            delayed: 0,
          },
        ]),
      );
    }
    return this.lanesByName;
  }

  private lane(name: string): Lane {
    const lane = this.lanes().get(name);
    if (lane) return lane;
    this.registry.get(name); // throws the explanation
    throw new JobQueueError(`no handler is declared for job ${JSON.stringify(name)}`);
  }

  private assertOpen(): void {
    if (this.state === 'closed') throw new JobQueueError('the job queue is closed');
  }

  private add(lane: Lane, payload: unknown, jobId: string | undefined, delayMs: number): boolean {
    if (jobId !== undefined) {
      if (lane.live.has(jobId)) return false;
      lane.live.add(jobId);
    }
    this.seq += 1;
    const job: PendingJob = { payload, jobId, seq: this.seq, attempt: 1 };
    if (delayMs > 0) this.later(lane, job, delayMs);
    else {
      lane.ready.push(job);
      this.schedulePump();
    }
    return true;
  }

  private later(lane: Lane, job: PendingJob, delayMs: number): void {
    lane.delayed += 1;
    this.timers.after(delayMs, () => {
      lane.delayed -= 1;
      lane.ready.push(job);
      this.schedulePump();
    });
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.state !== 'consuming') return;
    this.pumpScheduled = true;
    setImmediate(this.pump);
  }

  private readonly pump = (): void => {
    this.pumpScheduled = false;
    this.startedThisTurn = 0;
    for (const lane of this.lanes().values()) this.fill(lane);
  };

  private fill(lane: Lane): void {
    while (this.state === 'consuming' && lane.running < lane.definition.concurrency) {
      if (this.startedThisTurn >= BATCH) {
        if (lane.ready.length > 0) this.schedulePump();
        return;
      }
      const job = lane.ready.shift();
      if (job === undefined) return;
      this.startedThisTurn += 1;
      this.start(lane, job);
    }
  }

  private start(lane: Lane, job: PendingJob): void {
    lane.running += 1;
    this.running += 1;
    const ref = job.jobId ?? `#${job.seq}`;
    void this.executor
      .attempt(lane.definition, job.payload, job.attempt, ref)
      .then((outcome) => this.settle(lane, job, outcome))
      .catch((error: unknown) => {
        this.logger.error(`job ${lane.definition.name} ${ref}: ${String(error)}`);
      });
  }

  private settle(lane: Lane, job: PendingJob, outcome: AttemptOutcome): void {
    lane.running -= 1;
    this.running -= 1;
    if (outcome.kind === 'retry') {
      job.attempt += 1;
      if (this.state !== 'closed') this.later(lane, job, outcome.delayMs);
    } else if (job.jobId !== undefined) {
      lane.live.delete(job.jobId);
    }
    if (this.state === 'consuming') this.fill(lane);
    else if (this.running === 0) this.wakeIdleWaiters();
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Arms the next tick of the lane's cron schedule, strictly after `after` (epoch ms). */
  private scheduleCron(lane: Lane, after: number): void {
    const cron = lane.definition.cron;
    if (cron === undefined) return;
    const next = CronExpressionParser.parse(cron, { currentDate: new Date(after), tz: 'UTC' })
      .next()
      .getTime();
    this.cronTimers.after(next - Date.now(), () => {
      if (this.state !== 'consuming') return;
      // A tick is skipped while the previous one is still waiting or running.
      this.add(lane, {}, CRON_TICK_ID, 0);
      this.scheduleCron(lane, Math.max(next, Date.now()));
    });
  }
}

/** A JSON copy of the payload, as BullMQ would store it: no shared references, same types. */
function snapshot(payload: object): unknown {
  const json = JSON.stringify(payload);
  if (json === undefined) throw new JobQueueError('a job payload must be a JSON object');
  const copy: unknown = JSON.parse(json);
  return copy;
}

/** Runs `work` at once and settles with its result; a throw becomes a rejection. */
function promised<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}
