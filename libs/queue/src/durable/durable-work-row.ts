import { NotPersonal } from '@steward/persistence';
import { Column } from 'typeorm';

export type WorkState = 'pending' | 'processing' | 'done' | 'failed';

/**
 * The state machine columns of a unit of durable work. A feature's work table (inbound
 * messages, exports, erasures …) extends this class, so that the row, not the queue, is the
 * truth: pending → processing (claimed, with a lease) → done | failed; a lapsed lease or a
 * lost job puts it back in reach of the sweeper. Migrations add them with `durableWorkColumns`.
 */
export abstract class DurableWorkRow {
  @NotPersonal()
  @Column({ name: 'work_state', type: 'varchar', length: 16, default: 'pending' })
  workState!: WorkState;

  @NotPersonal()
  @Column({ name: 'work_attempts', type: 'integer', default: 0 })
  workAttempts!: number;

  @NotPersonal('random token of the current claim')
  @Column({ name: 'work_claim', type: 'varchar', length: 32, nullable: true })
  workClaim!: string | null;

  @NotPersonal()
  @Column({ name: 'work_lease_until', type: 'datetime', precision: 3, nullable: true })
  workLeaseUntil!: Date | null;

  @NotPersonal('an error message of our own code; never the work content')
  @Column({ name: 'work_error', type: 'varchar', length: 1000, nullable: true })
  workError!: string | null;

  @NotPersonal()
  @Column({ name: 'work_updated_at', type: 'datetime', precision: 3 })
  workUpdatedAt!: Date;
}
