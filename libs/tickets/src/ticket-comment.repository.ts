import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { TicketAttachmentEntity } from './attachment.entity';
import { TicketCommentEntity } from './ticket-comment.entity';

/** The few changes a comment may undergo after it was written: redaction, made private. */
@Injectable()
export class TicketCommentRepository {
  constructor(private readonly db: Database) {}

  /** The comment of this id when it belongs to this ticket. */
  findOnTicket(ticketId: number, commentId: number): Promise<TicketCommentEntity | null> {
    return this.db.run((m) => m.findOneBy(TicketCommentEntity, { id: commentId, ticketId }));
  }

  async setBodies(commentId: number, body: string, htmlBody: string): Promise<void> {
    await this.db.run((m) => m.update(TicketCommentEntity, { id: commentId }, { body, htmlBody }));
  }

  async makePrivate(commentId: number): Promise<void> {
    await this.db.run((m) => m.update(TicketCommentEntity, { id: commentId }, { isPublic: false }));
  }

  /** Whether the ticket has a public reply left. */
  async hasPublicComment(ticketId: number): Promise<boolean> {
    return this.db.run((m) => m.existsBy(TicketCommentEntity, { ticketId, isPublic: true }));
  }

  /** The attachment of this id when it belongs to this comment of this ticket. */
  findAttachment(
    ticketId: number,
    commentId: number,
    attachmentId: number,
  ): Promise<TicketAttachmentEntity | null> {
    return this.db.run((m) =>
      m.findOneBy(TicketAttachmentEntity, { id: attachmentId, ticketId, commentId }),
    );
  }

  /** Points the attachment at its placeholder: name, type, size, blob and fingerprint. */
  async replaceAttachment(
    id: number,
    placeholder: Pick<
      TicketAttachmentEntity,
      'fileName' | 'contentType' | 'size' | 'blobId' | 'sha256'
    >,
  ): Promise<void> {
    await this.db.run((m) => m.update(TicketAttachmentEntity, { id }, placeholder));
  }
}
