import { CreateTickets1795260000000 } from './migrations/1795260000000-create-tickets';
import { CreateTicketAttachments1795270000000 } from './migrations/1795270000000-create-ticket-attachments';
import { TicketAttachmentEntity } from './attachment.entity';
import { CreateViews1795280000000 } from './migrations/1795280000000-create-views';
import { CreateTicketSearch1795290000000 } from './migrations/1795290000000-create-ticket-search';
import { TicketScopeIndexes1795360000000 } from './migrations/1795360000000-ticket-scope-indexes';
import { TicketAuditEntity, TicketAuditEventEntity } from './ticket-audit.entity';
import { TicketCollaboratorEntity } from './ticket-collaborator.entity';
import { TicketCommentEntity } from './ticket-comment.entity';
import { TicketTagEntity } from './ticket-tag.entity';
import { TicketEntity } from './ticket.entity';
import { ViewEntity } from './view.entity';

export { TicketsModule } from './tickets.module';
export {
  TicketSearchService,
  MAX_SEARCH_RESULTS,
  type SearchOptions,
  type SearchPage,
  type SearchResult,
} from './search.service';
export { MAX_SEARCH_QUERY_LENGTH } from './search-query';
export {
  TicketService,
  type AuditPage,
  type CommentInput,
  type CommentPage,
  type RequesterInput,
  type TicketActor,
  type TicketInput,
  type TicketListOptions,
  type TicketPage,
  type TicketView,
} from './ticket.service';
export { TICKET_SORTS, type TicketSort } from './ticket.repository';
export {
  RequestService,
  type RequestCommentPage,
  type RequestListOptions,
  type RequestPage,
  type RequestView,
} from './request.service';
export { REQUEST_SORTS, type RequestSort } from './request.repository';
export type { RequestChange, RequestCommentInput, RequestInput } from './request-input';
export { TicketError } from './ticket.errors';
export {
  AttachmentService,
  EXPIRE_UPLOADS_JOB,
  UPLOAD_TTL_MS,
  type AttachmentDownload,
  type UploadView,
} from './attachment.service';
export { TicketAttachmentEntity } from './attachment.entity';
export { endUserMaySeeComment } from './attachment-access';
export { sniffContentType, type SniffedType } from './content-type';
export { displayFileName, contentDisposition } from './filename';
export { MAX_SUBJECT_LENGTH, MAX_TAGS, MAX_TAG_LENGTH } from './ticket-rules';
export { MAX_COMMENT_BYTES } from './comment-body';
export { TICKET_EVENT_TYPES, type TicketDomainEvent } from './ticket.events';
export { ViewService, type ViewCount, type ViewInput, type ViewTicketPage } from './view.service';
export { ViewEntity, VIEW_RESTRICTIONS, type ViewRestrictionType } from './view.entity';
export {
  VIEW_COLUMNS,
  VIEW_CONDITION_FIELDS,
  type ViewColumn,
  type ViewCondition,
  type ViewConditions,
  type ViewExecution,
} from './view-conditions';
export {
  TicketEntity,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_TYPES,
  VIA_CHANNELS,
  type TicketPriority,
  type TicketStatus,
  type TicketType,
  type ViaChannel,
} from './ticket.entity';
export { TicketCommentEntity } from './ticket-comment.entity';
export { TicketTagEntity } from './ticket-tag.entity';
export { TicketAuditEntity, TicketAuditEventEntity } from './ticket-audit.entity';

export const ticketEntities = [
  TicketEntity,
  TicketCommentEntity,
  TicketTagEntity,
  TicketCollaboratorEntity,
  TicketAuditEntity,
  TicketAuditEventEntity,
  TicketAttachmentEntity,
  ViewEntity,
];
export const ticketMigrations = [
  CreateTickets1795260000000,
  CreateTicketAttachments1795270000000,
  CreateViews1795280000000,
  CreateTicketSearch1795290000000,
  TicketScopeIndexes1795360000000,
];
