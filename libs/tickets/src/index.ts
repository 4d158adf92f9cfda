import { CreateTickets1795260000000 } from './migrations/1795260000000-create-tickets';
import { CreateTicketAttachments1795270000000 } from './migrations/1795270000000-create-ticket-attachments';
import { TicketAttachmentEntity } from './attachment.entity';
import { CreateViews1795280000000 } from './migrations/1795280000000-create-views';
import { CreateTicketSearch1795290000000 } from './migrations/1795290000000-create-ticket-search';
import { CreateJobStatuses1795330000000 } from './migrations/1795330000000-create-job-statuses';
import { JobStatusEntity } from './job-status.entity';
import { TicketScopeIndexes1795360000000 } from './migrations/1795360000000-ticket-scope-indexes';
import { CreateTicketCounts1795370000000 } from './migrations/1795370000000-create-ticket-counts';
import { TicketCountEntity } from './ticket-count.entity';
import { TicketAuditEntity, TicketAuditEventEntity } from './ticket-audit.entity';
import { TicketCollaboratorEntity } from './ticket-collaborator.entity';
import { TicketCommentEntity } from './ticket-comment.entity';
import { TicketTagEntity } from './ticket-tag.entity';
import { TicketEntity } from './ticket.entity';
import { ViewEntity } from './view.entity';
import {
  CustomFieldOptionEntity,
  TicketFieldEntity,
  TicketFieldValueEntity,
} from './ticket-field.entity';
import { CreateTicketFields1795310000000 } from './migrations/1795310000000-create-ticket-fields';

export { TicketsModule } from './tickets.module';
export { TicketBulkModule } from './ticket-bulk.module';
export { TicketBulkService, MAX_BULK_TICKETS, type BulkUpdate } from './ticket-bulk.service';
export { MAX_MERGE_SOURCES, type MergeInput } from './ticket-merge.service';
export {
  JobStatusService,
  BULK_JOB,
  EXPIRE_JOB_STATUSES_JOB,
  JOB_STATUS_TTL_MS,
} from './job-status.service';
export {
  JobStatusEntity,
  JOB_STATES,
  JOB_TYPES,
  type JobResult,
  type JobState,
  type JobType,
} from './job-status.entity';
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
  type TicketCursorOptions,
  type TicketCursorPage,
  type TicketView,
} from './ticket.service';
export {
  TICKET_SORTS,
  type ExportPosition,
  type TicketCursor,
  type TicketSort,
} from './ticket.repository';
export {
  TicketExportService,
  EXPORT_SETTLE_MS,
  MAX_EXPORT_PAGE,
  exportStartOf,
  type ExportPage,
  type ExportTimePage,
} from './ticket-export.service';
export {
  RequestService,
  type RequestCommentPage,
  type RequestList,
  type RequestListOptions,
  type RequestPage,
  OPEN_REQUEST_STATUSES,
  SOLVED_REQUEST_STATUSES,
  type RequestView,
} from './request.service';
export { REQUEST_SORTS, type RequestSort } from './request.repository';
export type { RequestChange, RequestCommentInput, RequestInput } from './request-input';
export { TicketError } from './ticket.errors';
export {
  CommentRedactionService,
  REDACTED_FILE_NAME,
  type MarkedRedactionInput,
} from './comment-redaction.service';
export { REDACTION_MARK } from './comment-redaction';
export { TagService, TAG_SUGGESTIONS, type TagChange, type TagPage } from './tag.service';
export type { TagCount } from './tag.repository';
export { TicketRelationsService, type TicketRelated } from './ticket-relations.service';
export {
  AttachmentService,
  EXPIRE_UPLOADS_JOB,
  UPLOAD_TTL_MS,
  type AttachmentDownload,
  type UploadView,
} from './attachment.service';
export { TicketAttachmentEntity } from './attachment.entity';
export {
  requestAccess,
  requestShowsComment,
  type RequestAccess,
  type RequestAccessFacts,
} from './request-access';
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
export {
  TicketFieldService,
  type CustomFieldOptionInput,
  type TicketFieldInput,
  type TicketFieldView,
} from './ticket-field.service';
export {
  CustomFieldOptionEntity,
  TicketFieldEntity,
  TicketFieldValueEntity,
  TICKET_FIELD_TYPES,
  type TicketFieldType,
} from './ticket-field.entity';
export type { CustomFieldInput, CustomFieldValue } from './ticket-field-values';

export const ticketEntities = [
  TicketEntity,
  TicketCommentEntity,
  TicketTagEntity,
  TicketCollaboratorEntity,
  TicketAuditEntity,
  TicketAuditEventEntity,
  TicketAttachmentEntity,
  ViewEntity,
  TicketFieldEntity,
  CustomFieldOptionEntity,
  TicketFieldValueEntity,
  JobStatusEntity,
  TicketCountEntity,
];
export const ticketMigrations = [
  CreateTickets1795260000000,
  CreateTicketAttachments1795270000000,
  CreateViews1795280000000,
  CreateTicketSearch1795290000000,
  CreateTicketFields1795310000000,
  CreateJobStatuses1795330000000,
  TicketScopeIndexes1795360000000,
  CreateTicketCounts1795370000000,
];
export { TicketCounts, RECOUNT_TICKETS } from './ticket-counts';
export { TicketCountEntity };
