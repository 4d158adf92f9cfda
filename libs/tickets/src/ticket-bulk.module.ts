import { Module } from '@nestjs/common';
import { IdentityModule } from '@steward/identity';
import { JobStatusContributor } from './job-status.contributor';
import { JobStatusRepository } from './job-status.repository';
import { JobStatusService } from './job-status.service';
import { TicketBulkService } from './ticket-bulk.service';
import { TicketMergeService } from './ticket-merge.service';
import { TicketsModule } from './tickets.module';

/**
 * Bulk ticket work and its job statuses. Apart from TicketsModule because its jobs need the
 * queue and DurableWork (QueueModule and DurableWorkModule beside it, as in StewardCoreModule).
 */
@Module({
  imports: [IdentityModule, TicketsModule],
  providers: [
    JobStatusRepository,
    JobStatusService,
    JobStatusContributor,
    TicketBulkService,
    TicketMergeService,
  ],
  exports: [JobStatusService, TicketBulkService],
})
export class TicketBulkModule {}
