import { NotPersonal, Personal } from '@steward/persistence';
import { DurableWorkRow } from '@steward/queue';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Zendesk's job states: queued, working, then completed or failed (killed: stopped by an admin). */
export const JOB_STATES = ['queued', 'working', 'completed', 'failed', 'killed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** The bulk ticket work a job status reports on. */
export const JOB_TYPES = [
  'tickets.create_many',
  'tickets.update_many',
  'tickets.destroy_many',
  'tickets.merge',
] as const;
export type JobType = (typeof JOB_TYPES)[number];

export type JobAction = 'create' | 'update' | 'delete' | 'merge';

/** What happened to one item of a job, in Zendesk's `results` shape. */
export interface JobResult {
  /** The item's position in the request (for a merge: the source, then the target last). */
  readonly index: number;
  /** The ticket the item created or changed, when known. */
  readonly id?: number;
  readonly action: JobAction;
  readonly success: boolean;
  /** `Created`, `Updated`, `Deleted`, `Merged` or `Failed`. */
  readonly status: string;
  /** On failure: Zendesk's error name (`RecordInvalid`, `TicketNotFound`, `PermissionDenied` …). */
  readonly errors?: string;
  /** On failure: what was wrong, field by field. */
  readonly details?: string;
}

/**
 * A job status: bulk work (create_many, update_many, destroy_many, merge) the API accepted and
 * a job performs item by item, and what became of each item. The row is the unit of durable
 * work (DurableWorkRow): the queue carries only its id. `payload` holds the request's items
 * until the job ends, then it is emptied. The public id is `token` (32 hex characters, as
 * Zendesk's); the numeric id never leaves the server.
 */
@Entity('job_statuses')
@Index('ix_job_statuses_work', ['workState', 'workUpdatedAt'])
@Index('idx_job_statuses_created_by', ['createdBy', 'createdAt'])
@Index('idx_job_statuses_expires_at', ['expiresAt'])
export class JobStatusEntity extends DurableWorkRow {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @NotPersonal('a random identifier')
  @Index('uq_job_statuses_token', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  token!: string;

  @NotPersonal()
  @Column({ name: 'job_type', type: 'varchar', length: 32 })
  jobType!: JobType;

  @NotPersonal()
  @Column({ type: 'varchar', length: 16 })
  status!: JobState;

  @NotPersonal()
  @Column({ type: 'integer' })
  total!: number;

  @NotPersonal()
  @Column({ type: 'integer' })
  progress!: number;

  /** A summary of the outcome; may quote what the caller sent. */
  @Personal('content')
  @Column({ type: 'varchar', length: 255, nullable: true })
  message!: string | null;

  /** One entry per item done: ids and error descriptions, which may quote the input. */
  @Personal('content')
  @Column({ type: 'json' })
  results!: JobResult[];

  /** The items still to do (tickets to create, changes to make); emptied when the job ends. */
  @Personal('content')
  @Column({ type: 'json', nullable: true })
  payload!: object | null;

  /** Who asked for the work; the job runs as them, and only they (and admins) see it. */
  @Personal('identifier')
  @Column({ name: 'created_by', type: 'integer' })
  createdBy!: number;

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @NotPersonal()
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;

  /** When the cleanup job removes the row (JOB_STATUS_TTL_MS after it was created). */
  @NotPersonal()
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;
}
