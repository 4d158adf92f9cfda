import { Global, Module } from '@nestjs/common';
import { DurableWork } from './durable-work';
import { DurableWorkSweeper } from './durable-work.sweeper';

/** Durable work and its sweeper; needs QueueModule and PersistenceModule beside it. */
@Global()
@Module({ providers: [DurableWork, DurableWorkSweeper], exports: [DurableWork] })
export class DurableWorkModule {}
