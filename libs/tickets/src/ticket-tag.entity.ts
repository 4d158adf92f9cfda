import { NotPersonal } from '@steward/persistence';
import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TicketEntity } from './ticket.entity';

/** One tag of a ticket; the `(tag, ticket)` index serves `tags:vpn` searches and view filters. */
@Entity('ticket_tags')
@Index('idx_ticket_tags_tag', ['tag', 'ticketId'])
export class TicketTagEntity {
  @NotPersonal()
  @PrimaryColumn({ name: 'ticket_id', type: 'integer' })
  ticketId!: number;

  @ManyToOne(() => TicketEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'fk_ticket_tags_ticket_id' })
  ticket?: TicketEntity;

  @NotPersonal('a label chosen by agents or rules, not about a person')
  @PrimaryColumn({ type: 'varchar', length: 80 })
  tag!: string;
}
