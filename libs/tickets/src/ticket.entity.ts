import { NotPersonal, Personal } from '@steward/persistence';
import { GroupEntity, OrganizationEntity, UserEntity } from '@steward/identity';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

export const TICKET_STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const TICKET_TYPES = ['question', 'incident', 'problem', 'task'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

/** How a ticket or comment came in: Zendesk's `via.channel`. */
export const VIA_CHANNELS = ['web', 'email', 'api', 'system'] as const;
export type ViaChannel = (typeof VIA_CHANNELS)[number];

/**
 * A ticket. The indexes serve the default views and the incremental export at a million rows:
 * each starts with the columns a view filters and sorts on (a time, then the id that breaks its
 * ties), and the `*_scope` ones end with the columns of the ticket scope (group, assignee,
 * deleted), so that a view's count and the ids of its first page come from the index alone.
 */
@Entity('tickets')
@Index('idx_tickets_status_scope', [
  'status',
  'updatedAt',
  'id',
  'groupId',
  'assigneeId',
  'deletedAt',
])
@Index('idx_tickets_group_scope', [
  'groupId',
  'assigneeId',
  'status',
  'updatedAt',
  'id',
  'deletedAt',
])
@Index('idx_tickets_assignee_scope', [
  'assigneeId',
  'status',
  'updatedAt',
  'id',
  'groupId',
  'deletedAt',
])
@Index('idx_tickets_requester_id', ['requesterId', 'createdAt'])
@Index('idx_tickets_updated_at', ['updatedAt', 'id'])
@Index('idx_tickets_status_solved_at', ['status', 'solvedAt'])
export class TicketEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** What the requester wrote as the subject: content, erased with their comments. */
  @Personal('content')
  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  @NotPersonal()
  @Column({ type: 'varchar', length: 16 })
  status!: TicketStatus;

  @NotPersonal()
  @Column({ type: 'varchar', length: 16, nullable: true })
  priority!: TicketPriority | null;

  @NotPersonal()
  @Column({ type: 'varchar', length: 16, nullable: true })
  type!: TicketType | null;

  @Personal('identifier')
  @Column({ name: 'requester_id', type: 'integer' })
  requesterId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'NO ACTION', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'requester_id', foreignKeyConstraintName: 'fk_tickets_requester_id' })
  requester?: UserEntity;

  @Personal('identifier')
  @Column({ name: 'submitter_id', type: 'integer' })
  submitterId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'NO ACTION', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'submitter_id', foreignKeyConstraintName: 'fk_tickets_submitter_id' })
  submitter?: UserEntity;

  @Personal('identifier')
  @Column({ name: 'assignee_id', type: 'integer', nullable: true })
  assigneeId!: number | null;

  @ManyToOne(() => UserEntity, { onDelete: 'NO ACTION', onUpdate: 'NO ACTION', nullable: true })
  @JoinColumn({ name: 'assignee_id', foreignKeyConstraintName: 'fk_tickets_assignee_id' })
  assignee?: UserEntity | null;

  @NotPersonal()
  @Column({ name: 'group_id', type: 'integer', nullable: true })
  groupId!: number | null;

  @ManyToOne(() => GroupEntity, { onDelete: 'NO ACTION', onUpdate: 'NO ACTION', nullable: true })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'fk_tickets_group_id' })
  group?: GroupEntity | null;

  @NotPersonal()
  @Index('idx_tickets_organization_id')
  @Column({ name: 'organization_id', type: 'integer', nullable: true })
  organizationId!: number | null;

  @ManyToOne(() => OrganizationEntity, {
    onDelete: 'SET NULL',
    onUpdate: 'NO ACTION',
    nullable: true,
  })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_tickets_organization_id' })
  organization?: OrganizationEntity | null;

  /** An incident's problem. */
  @NotPersonal()
  @Index('idx_tickets_problem_id')
  @Column({ name: 'problem_id', type: 'integer', nullable: true })
  problemId!: number | null;

  @ManyToOne(() => TicketEntity, { onDelete: 'SET NULL', onUpdate: 'NO ACTION', nullable: true })
  @JoinColumn({ name: 'problem_id', foreignKeyConstraintName: 'fk_tickets_problem_id' })
  problem?: TicketEntity | null;

  /** A task's due date. */
  @NotPersonal()
  @Column({ name: 'due_at', type: 'datetime', precision: 3, nullable: true })
  dueAt!: Date | null;

  @NotPersonal()
  @Column({ name: 'via_channel', type: 'varchar', length: 16 })
  viaChannel!: ViaChannel;

  /** The ticket's id in another system; may name a person, so treated as an identifier. */
  @Personal('identifier')
  @Index('idx_tickets_external_id')
  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true })
  externalId!: string | null;

  /** Zendesk's `is_public`: false while the ticket has only internal notes. */
  @NotPersonal()
  @Column({ name: 'is_public', type: 'boolean', default: true })
  isPublic!: boolean;

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @NotPersonal()
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;

  /** When the ticket was last solved; closing follows a configured number of days later. */
  @NotPersonal()
  @Column({ name: 'solved_at', type: 'datetime', precision: 3, nullable: true })
  solvedAt!: Date | null;

  /** Deleted tickets are kept for a while (Zendesk's deleted tickets), invisible to views. */
  @NotPersonal()
  @Column({ name: 'deleted_at', type: 'datetime', precision: 3, nullable: true })
  deletedAt!: Date | null;
}
