import { InProcessJobQueue } from './in-process-job-queue';
import { describeJobQueueContract } from './testing/queue-contract';

describeJobQueueContract('in-process', (tools) => new InProcessJobQueue(tools));
