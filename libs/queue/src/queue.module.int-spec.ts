import { Global, Injectable, Module, Scope } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  Metrics,
  Readiness,
  STEWARD_CONFIG,
  type StewardConfig,
  loadConfig,
  loadTestEnvironment,
} from '@steward/platform';
import { JobHandler } from './job-handler.decorator';
import { JobQueue } from './job-queue';
import { type IdPayload, idPayload } from './payloads';
import { QueueModule } from './queue.module';
import { waitFor } from './testing/queue-contract';
import { deleteKeysWithPrefix, requireTestRedis, uniquePrefix } from './testing/redis-test-support';

const { shape } = loadTestEnvironment();
const prefix = uniquePrefix('module');
let config: StewardConfig;

beforeAll(async () => {
  config =
    shape === 'production'
      ? loadConfig({
          env: {
            DATABASE_URL: 'mysql://steward@127.0.0.1:3306/steward_test',
            REDIS_URL: await requireTestRedis(),
          },
        })
      : loadConfig({ env: {} });
});

afterAll(async () => {
  if (config?.redisUrl) await deleteKeysWithPrefix(config.redisUrl, prefix);
});

function platformFor(metrics: Metrics) {
  @Global()
  @Module({
    providers: [
      { provide: STEWARD_CONFIG, useValue: config },
      { provide: Metrics, useValue: metrics },
      Readiness,
    ],
    exports: [STEWARD_CONFIG, Metrics, Readiness],
  })
  class TestPlatformModule {}
  return TestPlatformModule;
}

async function boot(consume: boolean, ...providers: (new (...args: never[]) => object)[]) {
  const metrics = new Metrics();
  const moduleRef: TestingModule = await Test.createTestingModule({
    imports: [platformFor(metrics), QueueModule.forRoot({ consume, prefix })],
    providers,
  }).compile();
  return { moduleRef, metrics };
}

@Injectable()
class TicketIndexer {
  readonly indexed: (string | number)[] = [];

  @JobHandler({ name: 'module.index', payload: idPayload })
  index({ id }: IdPayload): void {
    this.indexed.push(id);
  }
}

describe(`QueueModule (${shape})`, () => {
  it('runs the @JobHandler methods of providers once the application has started', async () => {
    const { moduleRef } = await boot(true, TicketIndexer);
    await moduleRef.init();
    try {
      await moduleRef.get(JobQueue).enqueue('module.index', { id: 42 });

      await waitFor('the handler to run', () => moduleRef.get(TicketIndexer).indexed.length === 1);
      expect(moduleRef.get(TicketIndexer).indexed).toEqual([42]);
    } finally {
      await moduleRef.close();
    }
  });

  it('only produces when consume is false, and reports the depth at scrape time', async () => {
    const { moduleRef, metrics } = await boot(false, TicketIndexer);
    await moduleRef.init();
    try {
      const queue = moduleRef.get(JobQueue);
      await queue.enqueue('module.index', { id: 1 }, { jobId: 'produce-only-1' });
      await queue.enqueue('module.index', { id: 2 }, { jobId: 'produce-only-2' });
      await new Promise((resolve) => setTimeout(resolve, 200)); // a consumer would have run them by now

      expect(moduleRef.get(TicketIndexer).indexed).toEqual([]);
      const { body } = await metrics.render();
      expect(body).toContain('steward_queue_depth{job="module.index"} 2');
    } finally {
      await moduleRef.close();
    }
  });

  it(`${shape === 'production' ? 'registers' : 'does not register'} a redis readiness probe`, async () => {
    const { moduleRef } = await boot(false, TicketIndexer);
    await moduleRef.init();
    try {
      const { checks } = await moduleRef.get(Readiness).report();
      expect(checks.redis).toEqual(shape === 'production' ? { status: 'up' } : undefined);
    } finally {
      await moduleRef.close();
    }
  });

  it('fails at boot when two providers handle the same job name', async () => {
    @Injectable()
    class FirstMailer {
      @JobHandler({ name: 'module.twice', payload: idPayload })
      async send(): Promise<void> {}
    }
    @Injectable()
    class SecondMailer {
      @JobHandler({ name: 'module.twice', payload: idPayload })
      async send(): Promise<void> {}
    }
    const { moduleRef } = await boot(true, FirstMailer, SecondMailer);
    try {
      await expect(moduleRef.init()).rejects.toThrow(
        'job module.twice has two handlers, FirstMailer.send and SecondMailer.send: exactly one handler per job name',
      );
    } finally {
      await moduleRef.get(JobQueue).close();
    }
  });

  it('fails at boot when a job handler lives in a request-scoped provider', async () => {
    @Injectable({ scope: Scope.REQUEST })
    class PerRequestWorker {
      @JobHandler({ name: 'module.scoped', payload: idPayload })
      async run(): Promise<void> {}
    }
    const { moduleRef } = await boot(true, PerRequestWorker);
    try {
      await expect(moduleRef.init()).rejects.toThrow(
        /PerRequestWorker\.run handles job module\.scoped/,
      );
    } finally {
      await moduleRef.get(JobQueue).close();
    }
  });
});
