import { NotPersonal, Personal } from '@steward/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * How many tickets (not deleted) there are of each status, group and assignee: the cells a
 * view's count adds up instead of counting tickets. Kept by `TicketCounts` in the transaction
 * of every change; `group_key` and `assignee_key` are the ids with 0 for none, so that each
 * cell has one primary key (a NULL would not be unique).
 */
@Entity('ticket_counts')
export class TicketCountEntity {
  @NotPersonal()
  @PrimaryColumn({ type: 'varchar', length: 16 })
  status!: string;

  @NotPersonal()
  @PrimaryColumn({ name: 'group_key', type: 'integer' })
  groupKey!: number;

  /** The assignee's user id (0 for none): how many tickets an agent holds. */
  @Personal('identifier')
  @PrimaryColumn({ name: 'assignee_key', type: 'integer' })
  assigneeKey!: number;

  @NotPersonal()
  @Column({ name: 'group_id', type: 'integer', nullable: true })
  groupId!: number | null;

  @Personal('identifier')
  @Column({ name: 'assignee_id', type: 'integer', nullable: true })
  assigneeId!: number | null;

  @NotPersonal()
  @Column({ type: 'integer' })
  tickets!: number;
}
