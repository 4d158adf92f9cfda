import type { DomainEvent } from '@steward/persistence';

/** The domain events of tickets; they carry ids and field names, never content. */
export type TicketDomainEvent =
  | { readonly type: 'ticket.created'; readonly ticketId: number }
  | {
      readonly type: 'ticket.updated';
      readonly ticketId: number;
      /** The Zendesk names of the fields that changed (`status`, `tags`, …). */
      readonly fields: readonly string[];
    }
  | { readonly type: 'ticket.deleted'; readonly ticketId: number }
  | {
      readonly type: 'comment.added';
      readonly ticketId: number;
      readonly commentId: number;
      readonly isPublic: boolean;
    }
  | {
      /** Text or an attachment of the comment was redacted (CommentRedactionService). */
      readonly type: 'comment.redacted';
      readonly ticketId: number;
      readonly commentId: number;
      readonly attachmentId?: number;
    }
  | {
      readonly type: 'comment.made_private';
      readonly ticketId: number;
      readonly commentId: number;
    };

export const TICKET_EVENT_TYPES = [
  'ticket.created',
  'ticket.updated',
  'ticket.deleted',
  'comment.added',
  'comment.redacted',
  'comment.made_private',
] as const satisfies ReadonlyArray<TicketDomainEvent['type']>;

export type { DomainEvent };
