export * from './durable-work-row';
export * from './durable-work-columns';
export * from './durable-work';
export * from './durable-work.sweeper';
export * from './durable-work.module';
