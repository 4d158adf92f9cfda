import type { LoggerService } from '@nestjs/common';
import { Metrics } from '@steward/platform';
import {
  deleteRedisKeys,
  loadBullMqJobQueue,
  InProcessJobQueue,
  type JobQueue,
  JobRegistry,
  defineJob,
  idPayload,
} from '@steward/queue';

const JOB = 'bench.noop';

/** Keeps the bench output to the figures; only errors get through. */
const quietLogger: LoggerService = {
  log: () => undefined,
  warn: () => undefined,
  error: (message: unknown) => process.stderr.write(`${String(message)}\n`),
};

/**
 * No-op jobs per second through one adapter, from the first bulk enqueue until every job has
 * completed: a single process both producing and consuming, with metrics on, as in a worker.
 */
export async function queueThroughput(
  adapter: 'in-process' | 'bullmq',
  jobs: number,
  redisUrl?: string,
): Promise<{ jobsPerSecond: number }> {
  let completed = 0;
  let allCompleted: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    allCompleted = resolve;
  });
  const definition = defineJob(
    { name: JOB, payload: idPayload, concurrency: adapter === 'bullmq' ? 100 : 50, attempts: 1 },
    () => {
      completed += 1;
      if (completed === jobs) allCompleted();
    },
  );
  const tools = {
    registry: JobRegistry.of([definition]),
    metrics: new Metrics(),
    logger: quietLogger,
  };
  const prefix = `steward-bench-${process.pid}-${Date.now().toString(36)}`;
  let queue: JobQueue;
  if (adapter === 'bullmq') {
    if (redisUrl === undefined) throw new Error('the bullmq queue benchmark needs a Redis URL');
    const BullMqJobQueue = loadBullMqJobQueue();
    queue = new BullMqJobQueue({ ...tools, redisUrl, prefix });
  } else {
    queue = new InProcessJobQueue(tools);
  }

  const items = Array.from({ length: jobs }, (_, i) => ({ payload: { id: i + 1 } }));
  try {
    await queue.startConsuming();
    const started = performance.now();
    await queue.enqueueMany(JOB, items);
    if (jobs > 0) await finished;
    const seconds = (performance.now() - started) / 1_000;
    return { jobsPerSecond: Math.round(jobs / seconds) };
  } finally {
    await queue.drain(5_000);
    await queue.close();
    if (adapter === 'bullmq' && redisUrl !== undefined) await deleteRedisKeys(redisUrl, prefix);
  }
}
