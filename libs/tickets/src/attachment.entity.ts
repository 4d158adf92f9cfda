import { NotPersonal, Personal } from '@steward/persistence';
import { UserEntity } from '@steward/identity';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { TicketCommentEntity } from './ticket-comment.entity';
import { TicketEntity } from './ticket.entity';

/**
 * A file someone uploaded. It belongs to its upload (the token the uploader attaches it by)
 * until a comment takes it; the bytes are an encrypted blob under a random id, never under the
 * file's name.
 */
@Entity('ticket_attachments')
@Index('idx_ticket_attachments_comment_id_created_at', ['commentId', 'createdAt'])
export class TicketAttachmentEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** SHA-256 of the upload token; the token itself is shown once, to the uploader. */
  @Personal('credential')
  @Index('idx_ticket_attachments_upload_token_hash')
  @Column({ name: 'upload_token_hash', type: 'varchar', length: 64 })
  uploadTokenHash!: string;

  @Personal('identifier')
  @Index('idx_ticket_attachments_uploader_id')
  @Column({ name: 'uploader_id', type: 'integer' })
  uploaderId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'NO ACTION', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({
    name: 'uploader_id',
    foreignKeyConstraintName: 'fk_ticket_attachments_uploader_id',
  })
  uploader?: UserEntity;

  /** The ticket of the comment it is attached to; null while it is only uploaded. */
  @NotPersonal()
  @Index('idx_ticket_attachments_ticket_id')
  @Column({ name: 'ticket_id', type: 'integer', nullable: true })
  ticketId!: number | null;

  @ManyToOne(() => TicketEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: true })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'fk_ticket_attachments_ticket_id' })
  ticket?: TicketEntity;

  @NotPersonal()
  @Column({ name: 'comment_id', type: 'integer', nullable: true })
  commentId!: number | null;

  @ManyToOne(() => TicketCommentEntity, {
    onDelete: 'CASCADE',
    onUpdate: 'NO ACTION',
    nullable: true,
  })
  @JoinColumn({ name: 'comment_id', foreignKeyConstraintName: 'fk_ticket_attachments_comment_id' })
  comment?: TicketCommentEntity;

  /** The name for display, cleaned (see displayFileName); never a path on disk. */
  @Personal('content')
  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName!: string;

  /** Sniffed from the bytes, never taken from the client. */
  @NotPersonal()
  @Column({ name: 'content_type', type: 'varchar', length: 128 })
  contentType!: string;

  @NotPersonal()
  @Column({ type: 'integer' })
  size!: number;

  /** The encrypted blob holding the bytes (BlobStore id, random). */
  @Personal('content')
  @Column({ name: 'blob_id', type: 'varchar', length: 64 })
  blobId!: string;

  /** SHA-256 of the bytes, hex: a fingerprint of what was uploaded. */
  @Personal('content')
  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
