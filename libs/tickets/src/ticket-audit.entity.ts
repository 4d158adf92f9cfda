import { NotPersonal, Personal } from '@steward/persistence';
import { UserEntity } from '@steward/identity';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { TicketEntity, type ViaChannel } from './ticket.entity';

/** One change to a ticket (Zendesk's ticket audit): who, when, through which channel. */
@Entity('ticket_audits')
@Index('idx_ticket_audits_ticket_id', ['ticketId', 'id'])
export class TicketAuditEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @NotPersonal()
  @Column({ name: 'ticket_id', type: 'integer' })
  ticketId!: number;

  @ManyToOne(() => TicketEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'fk_ticket_audits_ticket_id' })
  ticket?: TicketEntity;

  /** Null for changes Steward made itself (the job that closes solved tickets). */
  @Personal('identifier')
  @Index('idx_ticket_audits_author_id')
  @Column({ name: 'author_id', type: 'integer', nullable: true })
  authorId!: number | null;

  @ManyToOne(() => UserEntity, { onDelete: 'NO ACTION', onUpdate: 'NO ACTION', nullable: true })
  @JoinColumn({ name: 'author_id', foreignKeyConstraintName: 'fk_ticket_audits_author_id' })
  author?: UserEntity | null;

  @NotPersonal()
  @Column({ name: 'via_channel', type: 'varchar', length: 16 })
  viaChannel!: ViaChannel;

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}

/** Zendesk's audit event types that Steward records. */
export const AUDIT_EVENT_TYPES = [
  'Create',
  'Change',
  'Comment',
  'CommentRedactionEvent',
  'AttachmentRedactionEvent',
  'CommentPrivacyChange',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** One event of an audit: a field set or changed, or a comment added or redacted. */
@Entity('ticket_audit_events')
@Index('idx_ticket_audit_events_audit_id', ['auditId'])
export class TicketAuditEventEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @NotPersonal()
  @Column({ name: 'audit_id', type: 'integer' })
  auditId!: number;

  @ManyToOne(() => TicketAuditEntity, {
    onDelete: 'CASCADE',
    onUpdate: 'NO ACTION',
    nullable: false,
  })
  @JoinColumn({ name: 'audit_id', foreignKeyConstraintName: 'fk_ticket_audit_events_audit_id' })
  audit?: TicketAuditEntity;

  @NotPersonal()
  @Column({ type: 'varchar', length: 32 })
  type!: AuditEventType;

  @NotPersonal()
  @Column({ name: 'field_name', type: 'varchar', length: 64, nullable: true })
  fieldName!: string | null;

  /** The new value, as JSON: a subject or a user id is personal, so the column is. */
  @Personal('content')
  @Column({ type: 'text', nullable: true })
  value!: string | null;

  @Personal('content')
  @Column({ name: 'previous_value', type: 'text', nullable: true })
  previousValue!: string | null;

  /** The comment a Comment, redaction or privacy change event is about. */
  @NotPersonal()
  @Column({ name: 'comment_id', type: 'integer', nullable: true })
  commentId!: number | null;
}
