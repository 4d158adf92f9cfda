import { NotPersonal, Personal } from '@steward/persistence';
import { UserEntity } from '@steward/identity';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { TicketEntity, type ViaChannel } from './ticket.entity';

/**
 * A public reply or an internal note. Comments are never edited: redaction replaces a string
 * in the body and leaves an audit event saying so.
 */
@Entity('ticket_comments')
@Index('idx_ticket_comments_ticket_id', ['ticketId', 'id'])
export class TicketCommentEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @NotPersonal()
  @Column({ name: 'ticket_id', type: 'integer' })
  ticketId!: number;

  @ManyToOne(() => TicketEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'fk_ticket_comments_ticket_id' })
  ticket?: TicketEntity;

  @Personal('identifier')
  @Index('idx_ticket_comments_author_id')
  @Column({ name: 'author_id', type: 'integer' })
  authorId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'NO ACTION', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'author_id', foreignKeyConstraintName: 'fk_ticket_comments_author_id' })
  author?: UserEntity;

  /** A public reply (true) or an internal note (false). */
  @NotPersonal()
  @Column({ name: 'is_public', type: 'boolean', default: true })
  isPublic!: boolean;

  /** The plain-text body. */
  @Personal('content')
  @Column({ type: 'text' })
  body!: string;

  /** The HTML body, sanitised before it was stored. */
  @Personal('content')
  @Column({ name: 'html_body', type: 'text' })
  htmlBody!: string;

  @NotPersonal()
  @Column({ name: 'via_channel', type: 'varchar', length: 16 })
  viaChannel!: ViaChannel;

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
