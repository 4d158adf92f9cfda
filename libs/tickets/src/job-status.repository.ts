import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In, LessThan } from 'typeorm';
import { JobStatusEntity, type JobResult, type JobState } from './job-status.entity';

export type NewJobStatus = Pick<
  JobStatusEntity,
  'token' | 'jobType' | 'total' | 'payload' | 'createdBy' | 'createdAt' | 'expiresAt'
>;

/**
 * Job status rows, and the claim on one (the state machine of DurableWorkRow: pending →
 * processing under a claim with a lease → done | failed). Unlike DurableWork.run, whose work
 * commits in one transaction, a job commits item by item, each item with its result.
 */
@Injectable()
export class JobStatusRepository {
  constructor(private readonly db: Database) {}

  async insert(row: NewJobStatus): Promise<JobStatusEntity> {
    return this.db.run(async (m) => {
      const entity = m.create(JobStatusEntity, {
        ...row,
        status: 'queued',
        progress: 0,
        message: null,
        results: [],
        workState: 'pending',
        workAttempts: 0,
        workClaim: null,
        workLeaseUntil: null,
        workError: null,
        workUpdatedAt: row.createdAt,
        updatedAt: row.createdAt,
      });
      return m.save(entity);
    });
  }

  findById(id: number): Promise<JobStatusEntity | null> {
    return this.db.run((m) => m.findOneBy(JobStatusEntity, { id }));
  }

  findByToken(token: string): Promise<JobStatusEntity | null> {
    return this.db.run((m) => m.findOneBy(JobStatusEntity, { token }));
  }

  findByTokens(tokens: readonly string[]): Promise<JobStatusEntity[]> {
    if (tokens.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(JobStatusEntity, { where: { token: In([...tokens]) }, order: { id: 'ASC' } }),
    );
  }

  /** The newest job statuses of a user. */
  recentOf(userId: number, limit: number): Promise<JobStatusEntity[]> {
    return this.db.run((m) =>
      m.find(JobStatusEntity, {
        where: { createdBy: userId },
        order: { createdAt: 'DESC', id: 'DESC' },
        take: limit,
      }),
    );
  }

  /** Every job status of these users (privacy export and erasure). */
  createdBy(userIds: readonly number[]): Promise<JobStatusEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(JobStatusEntity, { where: { createdBy: In([...userIds]) }, order: { id: 'ASC' } }),
    );
  }

  async deleteCreatedBy(userIds: readonly number[]): Promise<number> {
    if (userIds.length === 0) return 0;
    const result = await this.db.run((m) =>
      m.delete(JobStatusEntity, { createdBy: In([...userIds]) }),
    );
    return result.affected ?? 0;
  }

  async deleteExpired(now: Date): Promise<number> {
    const result = await this.db.run((m) =>
      m.delete(JobStatusEntity, { expiresAt: LessThan(now) }),
    );
    return result.affected ?? 0;
  }

  /**
   * Claims the job for one runner: only a pending job, or one whose runner's lease lapsed, can
   * be claimed, and only one claim wins. True when this one did.
   */
  async claim(id: number, claim: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const result = await this.db.run((m) =>
      m
        .createQueryBuilder()
        .update(JobStatusEntity)
        .set({
          status: 'working',
          updatedAt: now,
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
    return (result.affected ?? 0) > 0;
  }

  /**
   * Extends the claim's lease; false when the claim was lost. Inside a transaction it also
   * locks the row until the commit (MySQL), so an item and its result commit under the claim.
   */
  async renew(id: number, claim: string, leaseUntil: Date): Promise<boolean> {
    const result = await this.db.run((m) =>
      m
        .createQueryBuilder()
        .update(JobStatusEntity)
        .set({ workLeaseUntil: leaseUntil })
        .where('id = :id AND work_claim = :claim', { id, claim })
        .execute(),
    );
    return (result.affected ?? 0) > 0;
  }

  async recordResults(
    id: number,
    results: readonly JobResult[],
    progress: number,
    now: Date,
  ): Promise<void> {
    await this.db.run((m) =>
      m.update(JobStatusEntity, { id }, { results: [...results], progress, updatedAt: now }),
    );
  }

  /** Ends the job under its claim: its final state, and the payload gone. */
  async finish(
    id: number,
    claim: string,
    status: Extract<JobState, 'completed' | 'failed'>,
    message: string | null,
    now: Date,
  ): Promise<boolean> {
    const result = await this.db.run((m) =>
      m
        .createQueryBuilder()
        .update(JobStatusEntity)
        .set({
          status,
          message,
          payload: null,
          updatedAt: now,
          workState: status === 'completed' ? 'done' : 'failed',
          workClaim: null,
          workLeaseUntil: null,
          workUpdatedAt: now,
        })
        .where('id = :id AND work_claim = :claim', { id, claim })
        .execute(),
    );
    return (result.affected ?? 0) > 0;
  }

  /** Gives the claim back after an error: the job waits for its retry, or fails for good. */
  async release(
    id: number,
    claim: string,
    exhausted: boolean,
    error: string,
    now: Date,
  ): Promise<void> {
    await this.db.run((m) =>
      m
        .createQueryBuilder()
        .update(JobStatusEntity)
        .set({
          status: exhausted ? 'failed' : 'queued',
          ...(exhausted ? { payload: null, message: 'The job failed; try again later' } : {}),
          updatedAt: now,
          workState: exhausted ? 'failed' : 'pending',
          workClaim: null,
          workLeaseUntil: null,
          workError: error.slice(0, 1000),
          workUpdatedAt: now,
        })
        .where('id = :id AND work_claim = :claim', { id, claim })
        .execute(),
    );
  }
}
