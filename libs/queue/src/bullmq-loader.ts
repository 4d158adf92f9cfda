import type * as BullMqModule from './bullmq-job-queue';
import type { BullMqJobQueue } from './bullmq-job-queue';

/**
 * The BullMQ adapter, loaded on first use: the embedded shape never needs bullmq and ioredis,
 * and not loading them keeps its memory down by tens of megabytes.
 */
export function loadBullMqJobQueue(): typeof BullMqJobQueue {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy
  return (require('./bullmq-job-queue') as typeof BullMqModule).BullMqJobQueue;
}
