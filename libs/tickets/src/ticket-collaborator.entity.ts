import { NotPersonal, Personal } from '@steward/persistence';
import { UserEntity } from '@steward/identity';
import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TicketEntity } from './ticket.entity';

/** `cc`: copied on public replies (Zendesk's email CCs); `follower`: an agent who follows it. */
export const COLLABORATOR_KINDS = ['cc', 'follower'] as const;
export type CollaboratorKind = (typeof COLLABORATOR_KINDS)[number];

@Entity('ticket_collaborators')
@Index('idx_ticket_collaborators_user_id', ['userId'])
export class TicketCollaboratorEntity {
  @NotPersonal()
  @PrimaryColumn({ name: 'ticket_id', type: 'integer' })
  ticketId!: number;

  @ManyToOne(() => TicketEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'fk_ticket_collaborators_ticket_id' })
  ticket?: TicketEntity;

  @Personal('identifier')
  @PrimaryColumn({ name: 'user_id', type: 'integer' })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_ticket_collaborators_user_id' })
  user?: UserEntity;

  @NotPersonal()
  @PrimaryColumn({ type: 'varchar', length: 16 })
  kind!: CollaboratorKind;
}
