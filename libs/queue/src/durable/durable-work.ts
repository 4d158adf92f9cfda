import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { Clock } from '@steward/platform';
import type { EntityManager, ObjectLiteral } from 'typeorm';
import { JobQueue, PermanentJobError } from '../job-queue';
import type { DurableWorkRow } from './durable-work-row';

/** One kind of durable work: its table (an entity extending DurableWorkRow) and its job. */
export interface DurableWorkDefinition<Row extends DurableWorkRow & ObjectLiteral> {
  readonly entity: new () => Row;
  /** The job that performs one unit; its payload is `{ id }`. */
  readonly jobName: string;
  /** How long a claim lasts; a unit still processing after it is considered abandoned. */
  readonly leaseMs: number;
  /** A pending unit this old is assumed to have lost its job, and is queued again. */
  readonly staleAfterMs: number;
  /** After this many failed attempts a unit is marked failed and left for an admin. */
  readonly maxAttempts: number;
}

export type RunOutcome = 'done' | 'skipped';

/** Thrown when the claim was lost to another runner before the work could commit. */
class ClaimLostError extends Error {}

const SWEEP_BATCH = 500;

/**
 * Runs units of durable work exactly once: a runner claims a unit with a conditional update
 * (only one claim can win), performs the work and marks it done in one transaction that
 * commits only while its claim still holds. Jobs are signals; the sweeper re-queues units
 * whose job was lost (Redis flushed, process killed) or whose runner died mid-way.
 */
@Injectable()
export class DurableWork {
  private readonly logger = new Logger('DurableWork');
  private readonly definitions = new Map<
    string,
    DurableWorkDefinition<DurableWorkRow & ObjectLiteral>
  >();

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly clock: Clock,
  ) {}

  /** Makes a kind of work known to the sweeper. */
  register<Row extends DurableWorkRow & ObjectLiteral>(
    definition: DurableWorkDefinition<Row>,
  ): void {
    if (this.definitions.has(definition.jobName)) {
      throw new Error(`durable work ${definition.jobName} registered twice`);
    }
    this.definitions.set(definition.jobName, definition);
  }

  /** Queues the jobs for units whose rows were just committed (call after the commit). */
  async submit(jobName: string, ids: readonly (string | number)[]): Promise<void> {
    if (ids.length === 0) return;
    await this.queue.enqueueMany(
      jobName,
      ids.map((id) => ({ payload: { id }, jobId: jobIdFor(jobName, id, 0) })),
    );
  }

  /**
   * Performs one unit: claims it, runs `work` in a transaction with the done-mark, and
   * resolves 'skipped' when the unit is already done, failed, or held by a live claim.
   * A thrown error puts the unit back to pending (the job retries) or, after maxAttempts or
   * a PermanentJobError, marks it failed.
   */
  async run<Row extends DurableWorkRow & ObjectLiteral>(
    jobName: string,
    id: string | number,
    work: (manager: EntityManager, row: Row) => Promise<void>,
  ): Promise<RunOutcome> {
    const definition = this.definition(jobName);
    const table = this.tableOf(definition);
    const claim = randomBytes(12).toString('hex');
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + definition.leaseMs);

    const claimed = await this.db.run((manager) =>
      manager
        .createQueryBuilder()
        .update(table)
        .set({
          workState: 'processing',
          workClaim: claim,
          workLeaseUntil: leaseUntil,
          workUpdatedAt: now,
          workAttempts: () => 'work_attempts + 1',
        })
        .where('id = :id', { id })
        .andWhere(
          "(work_state = 'pending' OR (work_state = 'processing' AND work_lease_until < :now))",
          { now },
        )
        .execute(),
    );
    if (!claimed.affected) return 'skipped';

    try {
      await this.db.transaction(async (manager) => {
        const row = await manager.findOneByOrFail<Row>(definition.entity, { id } as never);
        await work(manager, row);
        const done = await manager
          .createQueryBuilder()
          .update(table)
          .set({
            workState: 'done',
            workClaim: null,
            workLeaseUntil: null,
            workError: null,
            workUpdatedAt: this.clock.now(),
          })
          .where('id = :id AND work_claim = :claim', { id, claim })
          .execute();
        if (!done.affected)
          throw new ClaimLostError(`claim on ${jobName} ${id} lapsed before commit`);
      });
      return 'done';
    } catch (error) {
      if (error instanceof ClaimLostError) {
        this.logger.warn(error.message);
        return 'skipped';
      }
      await this.release(definition, id, claim, error);
      throw error;
    }
  }

  /** Queues again every unit that lost its job or its runner; returns how many. */
  async sweep(): Promise<number> {
    let total = 0;
    for (const definition of this.definitions.values()) total += await this.sweepOne(definition);
    return total;
  }

  private async sweepOne(
    definition: DurableWorkDefinition<DurableWorkRow & ObjectLiteral>,
  ): Promise<number> {
    const now = this.clock.now();
    const staleBefore = new Date(now.getTime() - definition.staleAfterMs);
    let total = 0;
    let afterId: string | number = 0;
    for (;;) {
      const from: string | number = afterId;
      const rows: { id: string | number; attempts: number }[] = await this.db.run((manager) =>
        manager
          .createQueryBuilder()
          .select(['w.id AS id', 'w.work_attempts AS attempts'])
          .from(definition.entity, 'w')
          .where(
            "((w.work_state = 'pending' AND w.work_updated_at < :staleBefore) OR (w.work_state = 'processing' AND w.work_lease_until < :now))",
            { staleBefore, now },
          )
          .andWhere('w.id > :from', { from })
          .orderBy('w.id', 'ASC')
          .limit(SWEEP_BATCH)
          .getRawMany<{ id: string | number; attempts: number }>(),
      );
      if (rows.length === 0) break;
      await this.queue.enqueueMany(
        definition.jobName,
        rows.map((r) => ({
          payload: { id: r.id },
          jobId: jobIdFor(definition.jobName, r.id, Number(r.attempts)),
        })),
      );
      total += rows.length;
      afterId = rows[rows.length - 1].id;
      if (rows.length < SWEEP_BATCH) break;
    }
    if (total > 0) this.logger.log(`re-queued ${total} unit(s) of ${definition.jobName}`);
    return total;
  }

  private async release(
    definition: DurableWorkDefinition<DurableWorkRow & ObjectLiteral>,
    id: string | number,
    claim: string,
    error: unknown,
  ): Promise<void> {
    const row = await this.db.run((manager) =>
      manager
        .createQueryBuilder()
        .select('w.work_attempts', 'attempts')
        .from(definition.entity, 'w')
        .where('w.id = :id', { id })
        .getRawOne<{ attempts: number }>(),
    );
    const exhausted =
      error instanceof PermanentJobError || Number(row?.attempts ?? 0) >= definition.maxAttempts;
    const message = (
      error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    ).slice(0, 1000);
    await this.db.run((manager) =>
      manager
        .createQueryBuilder()
        .update(this.tableOf(definition))
        .set({
          workState: exhausted ? 'failed' : 'pending',
          workClaim: null,
          workLeaseUntil: null,
          workError: message,
          workUpdatedAt: this.clock.now(),
        })
        .where('id = :id AND work_claim = :claim', { id, claim })
        .execute(),
    );
    if (exhausted && !(error instanceof PermanentJobError)) {
      throw new PermanentJobError(
        `${definition.jobName} ${id} failed ${definition.maxAttempts} times: ${message}`,
      );
    }
  }

  private definition(jobName: string): DurableWorkDefinition<DurableWorkRow & ObjectLiteral> {
    const definition = this.definitions.get(jobName);
    if (!definition) throw new PermanentJobError(`no durable work registered for ${jobName}`);
    return definition;
  }

  private tableOf(
    definition: DurableWorkDefinition<DurableWorkRow & ObjectLiteral>,
  ): new () => DurableWorkRow {
    return definition.entity;
  }
}

/** A job id per unit and attempt: duplicates of one attempt collapse, a new attempt gets a new job. */
export function jobIdFor(jobName: string, id: string | number, attempts: number): string {
  return `${jobName}-${id}-${attempts}`;
}
