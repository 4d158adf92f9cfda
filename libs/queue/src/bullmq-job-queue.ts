import { errorMessage } from '@steward/platform';
import { randomUUID } from 'node:crypto';
import { Logger, type LoggerService } from '@nestjs/common';
import type { Metrics } from '@steward/platform';
import { type Job, type JobsOptions, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type JobDefinition, type JobRegistry, assertDelay, assertJobId } from './job-definition';
import { JobExecutor } from './job-executor';
import {
  type BulkJob,
  type DrainResult,
  type EnqueueOptions,
  JobQueue,
  JobQueueError,
  QueueUnavailableError,
} from './job-queue';
import { settlesWithin } from './timers';

export interface BullMqJobQueueOptions {
  readonly registry: JobRegistry;
  readonly redisUrl: string;
  /** Prefix of every Redis key (default `steward`); tests pass their own. */
  readonly prefix?: string;
  readonly metrics?: Metrics;
  readonly logger?: LoggerService;
  /** How long an enqueue or depth read may wait for Redis before it fails (default 3 s). */
  readonly producerTimeoutMs?: number;
}

/** Completed jobs are kept a day (at most 1,000 per name), failed ones two weeks (10,000). */
const KEEP_COMPLETED = { age: 24 * 3_600, count: 1_000 };
const KEEP_FAILED = { age: 14 * 24 * 3_600, count: 10_000 };
const BULK_CHUNK = 1_000;
const BOOT_TIMEOUT_MS = 15_000;
const QUIT_TIMEOUT_MS = 1_000;

type Payload = object;

/**
 * The production adapter: one BullMQ Queue and (when consuming) one Worker per job name, under
 * one key prefix. Producers share one connection that fails fast when Redis is away; workers
 * share one connection with `maxRetriesPerRequest: null` (BullMQ adds a blocking one per
 * worker).
 *
 * A `jobId` becomes BullMQ's de-duplication id (simple mode: held while the job waits, is delayed
 * or runs, released when it completes or fails) rather than BullMQ's job id, which kept finished
 * jobs would block for as long as they are retained. Invalid payloads and PermanentJobError
 * become UnrecoverableError, so BullMQ does not retry them.
 */
export class BullMqJobQueue extends JobQueue {
  private readonly registry: JobRegistry;
  private readonly redisUrl: string;
  private readonly prefix: string;
  private readonly logger: LoggerService;
  private readonly executor: JobExecutor;
  private readonly producerTimeoutMs: number;
  private readonly producer: Redis;
  private consumer?: Redis;
  private readonly queues = new Map<string, Queue<Payload>>();
  private readonly workers = new Map<string, Worker<Payload>>();
  private workersClosing?: Promise<void>;
  private workersClosed = false;
  private active = 0;
  private closed = false;

  constructor(options: BullMqJobQueueOptions) {
    super();
    this.registry = options.registry;
    this.redisUrl = options.redisUrl;
    this.prefix = options.prefix ?? 'steward';
    this.logger = options.logger ?? new Logger('JobQueue');
    this.executor = new JobExecutor(this.logger, options.metrics);
    this.producerTimeoutMs = options.producerTimeoutMs ?? 3_000;
    // Producers sit in HTTP paths: one retry per command, then an error, instead of a hang.
    this.producer = this.connect('producer', { maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  }

  override async enqueue(
    name: string,
    payload: object,
    options: EnqueueOptions = {},
  ): Promise<boolean> {
    const definition = this.registry.get(name);
    if (options.jobId !== undefined) assertJobId(options.jobId);
    if (options.delayMs !== undefined) assertDelay(options.delayMs);
    this.assertOpen();
    const opts = jobOptions(options.jobId, options.delayMs);
    const job = await this.withinTimeout(
      this.queueFor(definition).add(name, payload, opts),
      this.producerTimeoutMs,
      `enqueue ${name}`,
    );
    return opts.jobId === undefined || job.id === opts.jobId;
  }

  override async enqueueMany(name: string, items: readonly BulkJob[]): Promise<number> {
    const definition = this.registry.get(name);
    for (const item of items) if (item.jobId !== undefined) assertJobId(item.jobId);
    this.assertOpen();
    const queue = this.queueFor(definition);
    let added = 0;
    for (let start = 0; start < items.length; start += BULK_CHUNK) {
      const chunk = items.slice(start, start + BULK_CHUNK).map((item) => ({
        name,
        data: item.payload,
        opts: jobOptions(item.jobId),
      }));
      const jobs = await this.withinTimeout(
        queue.addBulk(chunk),
        this.producerTimeoutMs,
        `enqueue ${name}`,
      );
      jobs.forEach((job, index) => {
        const asked = chunk[index]?.opts.jobId;
        if (asked === undefined || job.id === asked) added += 1;
      });
    }
    return added;
  }

  override async depth(): Promise<Record<string, number>> {
    const entries = await Promise.all(
      this.registry.all().map(async (definition) => {
        const counts = await this.withinTimeout(
          this.queueFor(definition).getJobCounts('waiting', 'delayed', 'prioritized'),
          this.producerTimeoutMs,
          'read queue depth',
        );
        return [definition.name, Object.values(counts).reduce((sum, n) => sum + n, 0)] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  override async startConsuming(): Promise<void> {
    this.assertOpen();
    if (this.consumer) return;
    const consumer = this.connect('worker', { maxRetriesPerRequest: null });
    this.consumer = consumer;
    const definitions = this.registry.all();
    for (const definition of definitions) {
      const worker = new Worker<Payload>(definition.name, this.processorFor(definition), {
        connection: consumer,
        prefix: this.prefix,
        concurrency: definition.concurrency,
      });
      worker.on('error', (error) => this.reportError(`worker ${definition.name}`, error));
      worker.on('stalled', (jobId) => {
        this.logger.warn(
          `job ${definition.name} #${jobId} stalled (its worker died or blocked the event loop); it runs again`,
        );
      });
      this.workers.set(definition.name, worker);
    }
    await this.withinTimeout(
      Promise.all([
        ...definitions.map((definition) => this.reconcileSchedule(definition)),
        ...[...this.workers.values()].map((worker) => worker.waitUntilReady()),
      ]),
      BOOT_TIMEOUT_MS,
      'start the workers',
    );
  }

  override async drain(deadlineMs: number): Promise<DrainResult> {
    if (this.workers.size === 0) return { drained: true, running: 0 };
    this.workersClosing ??= Promise.all(
      [...this.workers.values()].map((worker) =>
        worker.close().catch((error: unknown) => {
          this.logger.error(`closing worker ${worker.name}: ${errorMessage(error)}`);
        }),
      ),
    ).then(() => {
      this.workersClosed = true;
    });
    const drained = await settlesWithin(this.workersClosing, deadlineMs);
    if (!drained) {
      this.logger.warn(
        `${this.active} job(s) still running after ${deadlineMs} ms; BullMQ's stalled-job check hands them to another worker`,
      );
    }
    return { drained, running: this.active };
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.workers.size > 0 && !this.workersClosed) {
      if (this.workersClosing) {
        // A drain timed out on a hung job: drop the connections rather than wait for it.
        await Promise.all(
          [...this.workers.values()].map((worker) => worker.disconnect().catch(() => undefined)),
        );
      } else {
        await Promise.all(
          [...this.workers.values()].map((worker) => worker.close(true).catch(() => undefined)),
        );
      }
    }
    await Promise.all(
      [...this.queues.values()].map((queue) => settlesWithin(queue.close(), QUIT_TIMEOUT_MS)),
    );
    await quit(this.producer);
    if (this.consumer) await quit(this.consumer);
  }

  /** Readiness: Redis answers, and will not evict queued jobs under memory pressure. */
  async checkRedis(): Promise<void> {
    await this.producer.ping();
    const info = await this.producer.info('memory');
    const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1] ?? 'unknown';
    if (policy !== 'noeviction') {
      throw new Error(
        `Redis maxmemory-policy is ${policy}, but BullMQ needs noeviction: under memory pressure Redis would silently delete queued jobs; set "maxmemory-policy noeviction" in redis.conf`,
      );
    }
  }

  private processorFor(definition: JobDefinition): (job: Job<Payload>) => Promise<void> {
    return async (job) => {
      this.active += 1;
      try {
        const outcome = await this.executor.attempt(
          definition,
          job.data,
          job.attemptsMade + 1,
          `#${job.id ?? '?'}`,
        );
        switch (outcome.kind) {
          case 'completed':
            return;
          case 'retry':
            throw outcome.error instanceof Error
              ? outcome.error
              : new Error(errorMessage(outcome.error));
          case 'failed':
            throw new UnrecoverableError(`${outcome.reason}: ${errorMessage(outcome.error)}`);
        }
      } finally {
        this.active -= 1;
      }
    };
  }

  /** Upserts the cron schedule (idempotent across workers), or removes one left by an old version. */
  private async reconcileSchedule(definition: JobDefinition): Promise<void> {
    const queue = this.queueFor(definition);
    if (definition.cron === undefined) {
      await queue.removeJobScheduler(definition.name);
      return;
    }
    await queue.upsertJobScheduler(
      definition.name,
      { pattern: definition.cron, tz: 'UTC' },
      { name: definition.name, data: {}, opts: { ...queue.defaultJobOptions } },
    );
  }

  private queueFor(definition: JobDefinition): Queue<Payload> {
    let queue = this.queues.get(definition.name);
    if (!queue) {
      queue = new Queue<Payload>(definition.name, {
        connection: this.producer,
        prefix: this.prefix,
        defaultJobOptions: {
          attempts: definition.attempts,
          backoff: { type: 'exponential', delay: definition.backoffMs },
          removeOnComplete: KEEP_COMPLETED,
          removeOnFail: KEEP_FAILED,
        },
      });
      queue.on('error', (error) => this.reportError(`queue ${definition.name}`, error));
      this.queues.set(definition.name, queue);
    }
    return queue;
  }

  private connect(
    role: string,
    options: { maxRetriesPerRequest: number | null; connectTimeout?: number },
  ): Redis {
    const client = new Redis(this.redisUrl, {
      ...options,
      connectionName: `${this.prefix}:${role}`,
      disconnectTimeout: 100,
    });
    let down = false;
    client.on('error', (error: Error) => {
      if (down) return;
      down = true;
      this.logger.error(`Redis (${role}) unreachable: ${error.message}; reconnecting`);
    });
    client.on('ready', () => {
      if (!down) return;
      down = false;
      this.logger.log(`Redis (${role}) reachable again`);
    });
    return client;
  }

  /** Logs an error of a queue or worker; connection errors are already logged once per outage. */
  private reportError(source: string, error: Error): void {
    if (isConnectionError(error)) return;
    this.logger.error(`${source}: ${errorMessage(error)}`);
  }

  private assertOpen(): void {
    if (this.closed) throw new JobQueueError('the job queue is closed');
  }

  private async withinTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new QueueUnavailableError(`Redis did not answer within ${timeoutMs} ms (${what})`),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** BullMQ options of one job: a fresh job id so that a de-duplicated add can be told apart. */
function jobOptions(jobId: string | undefined, delayMs?: number): JobsOptions {
  const opts: JobsOptions = {};
  if (delayMs !== undefined && delayMs > 0) opts.delay = delayMs;
  if (jobId !== undefined) {
    opts.jobId = randomUUID();
    opts.deduplication = { id: jobId };
  }
  return opts;
}

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
]);

function isConnectionError(error: Error): boolean {
  const code: unknown = Reflect.get(error, 'code');
  return (
    (typeof code === 'string' && CONNECTION_ERRORS.has(code)) ||
    error.message.startsWith('Connection is closed')
  );
}

async function quit(client: Redis): Promise<void> {
  if (client.status === 'ready') await settlesWithin(client.quit(), QUIT_TIMEOUT_MS);
  if (client.status !== 'end') client.disconnect();
}
