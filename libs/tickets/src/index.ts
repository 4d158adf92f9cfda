import { CreateTickets1795260000000 } from './migrations/1795260000000-create-tickets';
import { TicketAuditEntity, TicketAuditEventEntity } from './ticket-audit.entity';
import { TicketCollaboratorEntity } from './ticket-collaborator.entity';
import { TicketCommentEntity } from './ticket-comment.entity';
import { TicketTagEntity } from './ticket-tag.entity';
import { TicketEntity } from './ticket.entity';

export { TicketsModule } from './tickets.module';
export {
  TicketService,
  MAX_SUBJECT_LENGTH,
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
export { TicketError } from './ticket.errors';
export { MAX_TAGS, MAX_TAG_LENGTH } from './ticket-rules';
export { MAX_COMMENT_BYTES } from './comment-body';
export { TICKET_EVENT_TYPES, type TicketDomainEvent } from './ticket.events';
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
];
export const ticketMigrations = [CreateTickets1795260000000];
