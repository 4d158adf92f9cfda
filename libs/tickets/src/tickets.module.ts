import { Module } from '@nestjs/common';
import { IdentityModule } from '@steward/identity';
import { TicketContributor } from './ticket.contributor';
import { TicketPrivacyRepository } from './ticket-privacy.repository';
import { TicketLifecycleService } from './ticket-lifecycle.service';
import { TicketRepository } from './ticket.repository';
import { TicketService } from './ticket.service';
import { AttachmentRepository } from './attachment.repository';
import { AttachmentService } from './attachment.service';
import { UploadTokens } from './upload-tokens';
import { ViewRepository } from './view.repository';
import { ViewService } from './view.service';
import { RequestRepository } from './request.repository';
import { RequestService } from './request.service';
import { Database, isMysqlFamily } from '@steward/persistence';
import { Fts5TicketSearchIndex, InnodbTicketSearchIndex, TicketSearchIndex } from './search-index';
import { SearchRepository } from './search.repository';
import { TicketSearchService } from './search.service';

@Module({
  imports: [IdentityModule],
  providers: [
    TicketRepository,
    TicketService,
    TicketPrivacyRepository,
    TicketContributor,
    TicketLifecycleService,
    AttachmentRepository,
    UploadTokens,
    AttachmentService,
    ViewRepository,
    ViewService,
    RequestRepository,
    RequestService,
    {
      provide: TicketSearchIndex,
      useFactory: (db: Database) =>
        isMysqlFamily(db.dataSource)
          ? new InnodbTicketSearchIndex(db)
          : new Fts5TicketSearchIndex(db),
      inject: [Database],
    },
    SearchRepository,
    TicketSearchService,
  ],
  exports: [TicketService, AttachmentService, ViewService, RequestService, TicketSearchService],
})
export class TicketsModule {}
