import { Module } from '@nestjs/common';
import { IdentityModule } from '@steward/identity';
import { TicketContributor } from './ticket.contributor';
import { TicketPrivacyRepository } from './ticket-privacy.repository';
import { TicketLifecycleService } from './ticket-lifecycle.service';
import { TicketRepository } from './ticket.repository';
import { TicketCounts } from './ticket-counts';
import { TicketService } from './ticket.service';
import { TicketExportService } from './ticket-export.service';
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
import { TicketFieldRepository } from './ticket-field.repository';
import { TicketFieldService } from './ticket-field.service';
import { TicketFieldValues } from './ticket-field-values';
import { CommentRedactionService } from './comment-redaction.service';
import { TicketCommentRepository } from './ticket-comment.repository';
import { TagRepository } from './tag.repository';
import { TagService } from './tag.service';
import { TicketRelationsRepository } from './ticket-relations.repository';
import { TicketRelationsService } from './ticket-relations.service';

@Module({
  imports: [IdentityModule],
  providers: [
    TicketCounts,
    TicketRepository,
    TicketService,
    TicketExportService,
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
    TicketCommentRepository,
    CommentRedactionService,
    TagRepository,
    TagService,
    TicketRelationsRepository,
    TicketRelationsService,
    TicketFieldRepository,
    TicketFieldService,
    TicketFieldValues,
  ],
  exports: [
    TicketCounts,
    TicketService,
    TicketExportService,
    AttachmentService,
    ViewService,
    RequestService,
    TicketSearchService,
    CommentRedactionService,
    TagService,
    TicketRelationsService,
    TicketFieldService,
  ],
})
export class TicketsModule {}
