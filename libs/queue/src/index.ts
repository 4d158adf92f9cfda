export {
  type BulkJob,
  type DrainResult,
  type EnqueueOptions,
  JobQueue,
  JobQueueError,
  PermanentJobError,
  QueueUnavailableError,
} from './job-queue';
export {
  type JobDefinition,
  type JobHandlerOptions,
  type PayloadParser,
  JOB_DEFAULTS,
  JobRegistry,
  defineJob,
} from './job-definition';
export { JobHandler } from './job-handler.decorator';
export { type IdPayload, idPayload, noPayload } from './payloads';
export { type InProcessJobQueueOptions, InProcessJobQueue } from './in-process-job-queue';
export type { BullMqJobQueueOptions, BullMqJobQueue } from './bullmq-job-queue';
export { loadBullMqJobQueue } from './bullmq-loader';
export { type QueueModuleOptions, QueueModule } from './queue.module';
export * from './durable';
export { deleteRedisKeys } from './redis-keys';
