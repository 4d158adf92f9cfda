import { Module } from '@nestjs/common';
import { IdentityModule } from '@steward/identity';
import { TicketContributor } from './ticket.contributor';
import { TicketPrivacyRepository } from './ticket-privacy.repository';
import { TicketLifecycleService } from './ticket-lifecycle.service';
import { TicketRepository } from './ticket.repository';
import { TicketService } from './ticket.service';

@Module({
  imports: [IdentityModule],
  providers: [
    TicketRepository,
    TicketService,
    TicketPrivacyRepository,
    TicketContributor,
    TicketLifecycleService,
  ],
  exports: [TicketService],
})
export class TicketsModule {}
