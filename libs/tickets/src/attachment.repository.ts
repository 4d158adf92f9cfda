import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In, IsNull, LessThan } from 'typeorm';
import { TicketAttachmentEntity } from './attachment.entity';
import { TicketCommentEntity } from './ticket-comment.entity';

export type AttachmentRow = Omit<TicketAttachmentEntity, 'id'>;

/** The rows of ticket attachments; the bytes are the BlobStore's. */
@Injectable()
export class AttachmentRepository {
  constructor(private readonly db: Database) {}

  insert(row: AttachmentRow): Promise<TicketAttachmentEntity> {
    return this.db.run((m) => m.save(m.create(TicketAttachmentEntity, row)));
  }

  async setBlob(id: number, blobId: string): Promise<void> {
    await this.db.run((m) => m.update(TicketAttachmentEntity, { id }, { blobId }));
  }

  findById(id: number): Promise<TicketAttachmentEntity | null> {
    return this.db.run((m) => m.findOneBy(TicketAttachmentEntity, { id }));
  }

  commentOf(id: number): Promise<TicketCommentEntity | null> {
    return this.db.run((m) => m.findOneBy(TicketCommentEntity, { id }));
  }

  /** The files of one upload, in the order they were added. */
  ofUpload(tokenHash: string): Promise<TicketAttachmentEntity[]> {
    return this.db.run((m) =>
      m.find(TicketAttachmentEntity, {
        where: { uploadTokenHash: tokenHash },
        order: { id: 'ASC' },
      }),
    );
  }

  /** Gives the still unattached files of these uploads to a comment; returns how many. */
  async attach(
    tokenHashes: readonly string[],
    target: { ticketId: number; commentId: number },
  ): Promise<number> {
    if (tokenHashes.length === 0) return 0;
    const result = await this.db.run((m) =>
      m.update(
        TicketAttachmentEntity,
        { uploadTokenHash: In([...tokenHashes]), commentId: IsNull() },
        target,
      ),
    );
    return result.affected ?? 0;
  }

  ofComments(commentIds: readonly number[]): Promise<TicketAttachmentEntity[]> {
    if (commentIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(TicketAttachmentEntity, {
        where: { commentId: In([...commentIds]) },
        order: { id: 'ASC' },
      }),
    );
  }

  /** Up to `limit` files uploaded before `cutoff` and never attached, oldest first. */
  unattachedBefore(cutoff: Date, limit: number): Promise<TicketAttachmentEntity[]> {
    return this.db.run((m) =>
      m.find(TicketAttachmentEntity, {
        where: { commentId: IsNull(), createdAt: LessThan(cutoff) },
        order: { createdAt: 'ASC', id: 'ASC' },
        take: limit,
      }),
    );
  }

  /** The files these users uploaded, attached or not. */
  uploadedBy(userIds: readonly number[]): Promise<TicketAttachmentEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(TicketAttachmentEntity, {
        where: { uploaderId: In([...userIds]) },
        order: { id: 'ASC' },
      }),
    );
  }

  async delete(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.run((m) => m.delete(TicketAttachmentEntity, { id: In([...ids]) }));
  }
}
