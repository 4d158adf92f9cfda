import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Metrics, Readiness, STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { loadBullMqJobQueue } from './bullmq-loader';
import { InProcessJobQueue } from './in-process-job-queue';
import { JobRegistry } from './job-definition';
import { JobHandlerExplorer } from './job-handler.explorer';
import { JobQueue, JobQueueError } from './job-queue';

export interface QueueModuleOptions {
  /**
   * Run the job handlers in this process: true in the worker and the embedded server, false in
   * the production HTTP server, which only produces jobs.
   */
  readonly consume: boolean;
  /** Redis key prefix of the BullMQ adapter; defaults to STEWARD_REDIS_PREFIX. */
  readonly prefix?: string;
}

const QUEUE_MODULE_OPTIONS = Symbol('QUEUE_MODULE_OPTIONS');

function isRedisBacked(queue: JobQueue): queue is JobQueue & { checkRedis(): Promise<void> } {
  return typeof (queue as { checkRedis?: unknown }).checkRedis === 'function';
}

function createJobQueue(
  config: StewardConfig,
  registry: JobRegistry,
  metrics: Metrics,
  options: QueueModuleOptions,
): JobQueue {
  if (config.shape !== 'production') return new InProcessJobQueue({ registry, metrics });
  if (config.redisUrl === undefined) {
    throw new JobQueueError('the production shape runs jobs on Redis, but REDIS_URL is not set');
  }
  const BullMqJobQueue = loadBullMqJobQueue();
  return new BullMqJobQueue({
    registry,
    metrics,
    redisUrl: config.redisUrl,
    prefix: options.prefix ?? config.redisPrefix,
  });
}

/**
 * Checks the handlers at boot, starts consuming on bootstrap, drains on shutdown within the
 * configured deadline and closes the connections last.
 */
@Injectable()
class QueueLifecycle
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('JobQueue');

  constructor(
    private readonly queue: JobQueue,
    private readonly registry: JobRegistry,
    private readonly metrics: Metrics,
    private readonly readiness: Readiness,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
    @Inject(QUEUE_MODULE_OPTIONS) private readonly options: QueueModuleOptions,
  ) {}

  onModuleInit(): void {
    const definitions = this.registry.all(); // discovers, and throws on a duplicate job name
    const { queue } = this;
    this.metrics.onCollect(async () => {
      for (const [job, depth] of Object.entries(await queue.depth())) {
        this.metrics.queueDepth.set({ job }, depth);
      }
    });
    if (isRedisBacked(queue)) this.readiness.register('redis', () => queue.checkRedis());
    this.logger.log(
      `${definitions.length} job handler(s) on ${isRedisBacked(queue) ? 'BullMQ' : 'the in-process runner'}${this.options.consume ? '' : ' (producing only)'}`,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.consume) await this.queue.startConsuming();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.options.consume) await this.queue.drain(this.config.shutdownTimeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}

/**
 * The job queue of the application (global): `JobQueue` for producers, and every `@JobHandler`
 * method of every provider wired to BullMQ (production shape) or the in-process runner.
 */
@Module({})
export class QueueModule {
  static forRoot(options: QueueModuleOptions): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: QUEUE_MODULE_OPTIONS, useValue: options },
        JobHandlerExplorer,
        {
          provide: JobRegistry,
          useFactory: (explorer: JobHandlerExplorer) => new JobRegistry(() => explorer.explore()),
          inject: [JobHandlerExplorer],
        },
        {
          provide: JobQueue,
          useFactory: createJobQueue,
          inject: [STEWARD_CONFIG, JobRegistry, Metrics, QUEUE_MODULE_OPTIONS],
        },
        QueueLifecycle,
      ],
      exports: [JobQueue],
    };
  }
}
