import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { JobHandler } from '../job-handler.decorator';
import { noPayload } from '../payloads';
import { DurableWork } from './durable-work';

export const SWEEP_JOB = 'durable.sweep';

/** Every 30 s (and once at start) queues again the durable work that lost its job or runner. */
@Injectable()
export class DurableWorkSweeper implements OnApplicationBootstrap {
  constructor(private readonly work: DurableWork) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.work.sweep();
  }

  @JobHandler({ name: SWEEP_JOB, payload: noPayload, cron: '*/30 * * * * *', attempts: 1 })
  async sweep(): Promise<void> {
    await this.work.sweep();
  }
}
