import { Queue } from 'bullmq';
import { BullMqJobQueue } from './bullmq-job-queue';
import { JobRegistry, defineJob } from './job-definition';
import { QueueUnavailableError } from './job-queue';
import { idPayload, noPayload } from './payloads';
import { CapturingLogger, describeJobQueueContract } from './testing/queue-contract';
import { deleteKeysWithPrefix, requireTestRedis, uniquePrefix } from './testing/redis-test-support';

const prefix = uniquePrefix('bullmq');
let redisUrl = '';

beforeAll(async () => {
  redisUrl = await requireTestRedis();
});

afterAll(async () => {
  if (redisUrl) await deleteKeysWithPrefix(redisUrl, prefix);
});

describeJobQueueContract('BullMQ', (tools) => new BullMqJobQueue({ ...tools, redisUrl, prefix }));

describe('BullMqJobQueue', () => {
  it('keeps one cron scheduler however many workers start it', async () => {
    const registry = JobRegistry.of([
      defineJob(
        { name: 'bullmq.schedule', payload: noPayload, cron: '0 3 * * *' },
        () => undefined,
      ),
    ]);
    const logger = new CapturingLogger();
    const workers = [1, 2, 3].map(() => new BullMqJobQueue({ registry, redisUrl, prefix, logger }));
    const queue = new Queue('bullmq.schedule', { connection: { url: redisUrl }, prefix });
    try {
      await Promise.all(workers.map((worker) => worker.startConsuming()));

      expect(await queue.getJobSchedulersCount()).toBe(1);
      expect(await queue.getJobCounts('delayed')).toEqual({ delayed: 1 });
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
      await queue.close();
    }
  });

  it('passes the readiness check on a Redis with maxmemory-policy noeviction', async () => {
    const queue = new BullMqJobQueue({ registry: JobRegistry.of([]), redisUrl, prefix });
    try {
      await expect(queue.checkRedis()).resolves.toBeUndefined();
    } finally {
      await queue.close();
    }
  });

  it('fails an enqueue fast when Redis does not answer', async () => {
    const registry = JobRegistry.of([
      defineJob({ name: 'bullmq.nowhere', payload: idPayload }, () => undefined),
    ]);
    const queue = new BullMqJobQueue({
      registry,
      redisUrl: 'redis://127.0.0.1:1/0',
      prefix,
      logger: new CapturingLogger(),
      producerTimeoutMs: 500,
    });
    try {
      const before = Date.now();
      await expect(queue.enqueue('bullmq.nowhere', { id: 1 })).rejects.toThrow(
        QueueUnavailableError,
      );
      expect(Date.now() - before).toBeLessThan(2_000);
    } finally {
      await queue.close();
    }
  });
});
