import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PolicyService, type UserEntity } from '@steward/identity';
import { Database, DomainEvents } from '@steward/persistence';
import { Clock, ErrorCode, StewardError } from '@steward/platform';
import { BlobStore } from '@steward/storage';
import type { TicketAttachmentEntity } from './attachment.entity';
import { attachmentBlobOwner } from './attachment.service';
import { MAX_COMMENT_BYTES } from './comment-body';
import { markedForRedaction, redactBodies } from './comment-redaction';
import type { TicketCommentEntity } from './ticket-comment.entity';
import { TicketCommentRepository } from './ticket-comment.repository';
import type { TicketEntity } from './ticket.entity';
import { TicketError } from './ticket.errors';
import type { TicketDomainEvent } from './ticket.events';
import { type AuditEventRow, TicketRepository } from './ticket.repository';
import { scopeAllows } from './ticket-scope';
import { type TicketActor, TicketService } from './ticket.service';

/** The name of the empty file that takes a redacted attachment's place (as in Zendesk). */
export const REDACTED_FILE_NAME = 'redacted.txt';

/** What a client asks to redact with Zendesk's `comment_redactions` form. */
export interface MarkedRedactionInput {
  readonly ticketId: number;
  /** The comment's HTML with `<redact>…</redact>` around each string to remove. */
  readonly htmlBody: string;
}

/**
 * The changes a comment may undergo once written, each permanent and recorded on the ticket's
 * audit trail without the removed content: redaction of a string (everywhere in the comment),
 * redaction of an attachment (its bytes deleted, an empty `redacted.txt` in its place), and
 * turning a public reply into an internal note. Allowed to whoever may change the ticket
 * (`tickets.write`) and sees it; closed tickets too — removing a leaked password is the point.
 */
@Injectable()
export class CommentRedactionService {
  constructor(
    private readonly comments: TicketCommentRepository,
    private readonly tickets: TicketRepository,
    private readonly ticketService: TicketService,
    private readonly policy: PolicyService,
    private readonly blobs: BlobStore,
    private readonly events: DomainEvents,
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Replaces every occurrence of `text` in the comment (body and HTML) with `▇` marks. */
  async redact(
    ticketId: number,
    commentId: number,
    text: unknown,
    actor: TicketActor,
  ): Promise<TicketCommentEntity> {
    return this.redactStrings(ticketId, commentId, [checkText(text, 'text')], actor);
  }

  /** Zendesk's `comment_redactions`: redacts what `<redact>` marks in the HTML sent. */
  async redactMarked(
    commentId: number,
    input: MarkedRedactionInput,
    actor: TicketActor,
  ): Promise<TicketCommentEntity> {
    if (Buffer.byteLength(input.htmlBody, 'utf8') > 2 * MAX_COMMENT_BYTES) {
      throw TicketError.invalid('html_body', `is too long: at most ${2 * MAX_COMMENT_BYTES} bytes`);
    }
    const marked = markedForRedaction(input.htmlBody);
    if (marked.length === 0) {
      throw TicketError.invalid('html_body', 'marks nothing: put <redact>…</redact> around it');
    }
    return this.redactStrings(
      input.ticketId,
      commentId,
      marked.map((text) => checkText(text, 'html_body')),
      actor,
    );
  }

  /**
   * Deletes an attachment's bytes and puts an empty `redacted.txt` in its place (the row keeps
   * its id, so links to it stay valid and show the redaction).
   */
  async redactAttachment(
    ticketId: number,
    commentId: number,
    attachmentId: number,
    actor: TicketActor,
  ): Promise<TicketAttachmentEntity> {
    const ticket = await this.changeable(ticketId, actor.user);
    const comment = await this.commentOf(ticket, commentId);
    const attachment = await this.comments.findAttachment(ticket.id, comment.id, attachmentId);
    if (!attachment) throw TicketError.notFound();
    if (attachment.fileName === REDACTED_FILE_NAME && attachment.size === 0) return attachment;
    const empty = Buffer.alloc(0);
    const placeholder = await this.blobs.put(attachmentBlobOwner(attachment.id), empty);
    try {
      await this.db.transaction(async () => {
        await this.comments.replaceAttachment(attachment.id, {
          fileName: REDACTED_FILE_NAME,
          contentType: 'text/plain',
          size: 0,
          blobId: placeholder.id,
          sha256: createHash('sha256').update(empty).digest('hex'),
        });
        await this.audit(ticket, actor, {
          type: 'AttachmentRedactionEvent',
          fieldName: null,
          value: JSON.stringify(attachment.id),
          previousValue: null,
          commentId: comment.id,
        });
        // The old bytes go last, inside the transaction: if they cannot be deleted, the row
        // keeps pointing at them and the redaction can be retried.
        await this.blobs.delete(attachment.blobId);
        this.publish({
          type: 'comment.redacted',
          ticketId: ticket.id,
          commentId: comment.id,
          attachmentId: attachment.id,
        });
      });
    } catch (error) {
      await this.blobs.delete(placeholder.id);
      throw error;
    }
    const redacted = await this.comments.findAttachment(ticket.id, comment.id, attachment.id);
    if (!redacted) throw TicketError.notFound();
    return redacted;
  }

  /**
   * Turns a public reply into an internal note, for good; the ticket stops being public when no
   * public reply is left. A comment that is an internal note already stays as it is.
   */
  async makePrivate(
    ticketId: number,
    commentId: number,
    actor: TicketActor,
  ): Promise<TicketCommentEntity> {
    if (!this.policy.can(actor.user, 'tickets.comment_internal')) {
      throw new StewardError(ErrorCode.Forbidden, 'You do not have access to internal notes');
    }
    const ticket = await this.changeable(ticketId, actor.user);
    const comment = await this.commentOf(ticket, commentId);
    if (!comment.isPublic) return comment;
    await this.db.transaction(async () => {
      await this.comments.makePrivate(comment.id);
      const stillPublic = await this.comments.hasPublicComment(ticket.id);
      await this.audit(
        ticket,
        actor,
        {
          type: 'CommentPrivacyChange',
          fieldName: null,
          value: JSON.stringify(false),
          previousValue: JSON.stringify(true),
          commentId: comment.id,
        },
        stillPublic === ticket.isPublic ? {} : { isPublic: stillPublic },
      );
      this.publish({ type: 'comment.made_private', ticketId: ticket.id, commentId: comment.id });
    });
    return this.commentOf(ticket, comment.id);
  }

  private async redactStrings(
    ticketId: number,
    commentId: number,
    texts: readonly string[],
    actor: TicketActor,
  ): Promise<TicketCommentEntity> {
    const ticket = await this.changeable(ticketId, actor.user);
    await this.db.transaction(async () => {
      const comment = await this.commentOf(ticket, commentId);
      let { body, htmlBody } = comment;
      for (const text of texts) {
        const redacted = redactBodies(body, htmlBody, text);
        if (redacted.replaced === 0) {
          throw TicketError.invalid('text', 'does not occur in the comment');
        }
        ({ body, htmlBody } = redacted);
      }
      await this.comments.setBodies(comment.id, body, htmlBody);
      await this.audit(ticket, actor, {
        type: 'CommentRedactionEvent',
        fieldName: null,
        value: null,
        previousValue: null,
        commentId: comment.id,
      });
      this.publish({ type: 'comment.redacted', ticketId: ticket.id, commentId: comment.id });
    });
    return this.commentOf(ticket, commentId);
  }

  /** The ticket, when the user may change it and sees it; otherwise 403 or "not found". */
  private async changeable(id: number, user: Readonly<UserEntity>): Promise<TicketEntity> {
    if (!this.policy.can(user, 'tickets.write')) {
      throw new StewardError(ErrorCode.Forbidden, 'You do not have access to change comments');
    }
    const scope = await this.ticketService.scopeOf(user);
    const ticket = await this.tickets.findById(id);
    if (!ticket || !scopeAllows(scope, ticket)) throw TicketError.notFound();
    return ticket;
  }

  /** A comment of this ticket; one of another ticket is "not found" here. */
  private async commentOf(ticket: TicketEntity, commentId: number): Promise<TicketCommentEntity> {
    const comment = await this.comments.findOnTicket(ticket.id, commentId);
    if (!comment) throw TicketError.notFound();
    return comment;
  }

  private async audit(
    ticket: TicketEntity,
    actor: TicketActor,
    event: AuditEventRow,
    changes: { isPublic?: boolean } = {},
  ): Promise<void> {
    const now = this.clock.now();
    await this.tickets.update(ticket.id, { ...changes, updatedAt: now });
    await this.tickets.insertAudit(
      { ticketId: ticket.id, authorId: actor.user.id, viaChannel: actor.via, createdAt: now },
      [event],
    );
  }

  private publish(event: TicketDomainEvent): void {
    this.events.publish(event);
  }
}

/** A string to redact: not blank, no longer than a comment. */
function checkText(value: unknown, field: string): string {
  if (typeof value !== 'string') throw TicketError.invalid(field, 'must be a string');
  if (value.trim() === '') throw TicketError.invalid(field, 'cannot be blank');
  if (Buffer.byteLength(value, 'utf8') > MAX_COMMENT_BYTES) {
    throw TicketError.invalid(field, `is too long: at most ${MAX_COMMENT_BYTES} bytes`);
  }
  return value.replace(/\r\n/g, '\n');
}
