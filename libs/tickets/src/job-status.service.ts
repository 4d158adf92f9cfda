import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { isActiveUser, type UserEntity, UserService } from '@steward/identity';
import { Database } from '@steward/persistence';
import { Clock, ErrorCode, errorMessage, StewardError } from '@steward/platform';
import { DurableWork, JobHandler, noPayload, PermanentJobError } from '@steward/queue';
import { type JobAction, type JobResult, JobStatusEntity, type JobType } from './job-status.entity';
import { JobStatusRepository } from './job-status.repository';

/** The job that performs a job status's work; its payload is the row's numeric id. */
export const BULK_JOB = 'tickets.bulk';
export const EXPIRE_JOB_STATUSES_JOB = 'tickets.expire_job_statuses';
/** Job statuses are kept for seven days, then the cleanup job deletes them. */
export const JOB_STATUS_TTL_MS = 7 * 86_400_000;
/** How many job statuses `GET /api/v2/job_statuses` lists. */
export const RECENT_JOB_STATUSES = 100;
/** A runner that has not finished an item in this long is presumed dead; the sweeper re-queues. */
const LEASE_MS = 120_000;
/** A queued job this old has lost its queue job (Redis flushed, enqueue failed). */
const STALE_AFTER_MS = 60_000;
const MAX_ATTEMPTS = 5;

/** Zendesk's error names for the failure of one item. */
const ERROR_NAMES: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.NotFound]: 'TicketNotFound',
  [ErrorCode.Invalid]: 'RecordInvalid',
  [ErrorCode.Forbidden]: 'PermissionDenied',
  [ErrorCode.Conflict]: 'UpdateConflict',
};

/** The claim on a running job was lost to another runner: stop without touching the row. */
class ClaimLostError extends Error {}

/**
 * The items of a running job: each runs at most once and commits with its result; an item
 * done by an earlier attempt (a runner that died, a redelivered job) is skipped.
 */
export interface JobSteps {
  /** The job's owner as they are now, or undefined when they can no longer act. */
  readonly owner: Readonly<UserEntity> | undefined;
  /** Whether the item already has its result. */
  done(index: number): boolean;
  /**
   * Runs the item's work and records its result in the same transaction. A StewardError
   * (a business rule) is recorded as the item's failure; anything else fails the attempt.
   */
  step(
    index: number,
    action: JobAction,
    id: number | undefined,
    work: () => Promise<{ id?: number; status: string }>,
  ): Promise<JobResult>;
  /** Records a failure that needs no work (the owner lost access, a check failed). */
  fail(
    index: number,
    action: JobAction,
    id: number | undefined,
    errors: string,
    details: string,
  ): Promise<JobResult>;
  /** The results so far, in item order. */
  results(): readonly JobResult[];
}

/**
 * Job statuses (Zendesk's Job Statuses API): bulk work accepted by the API and done by a
 * durable job. The row and its payload commit first, the queue job follows; the sweeper of
 * DurableWork re-queues a job whose queue job was lost or whose runner died, and a re-run
 * skips the items already done. A user sees their own job statuses; admins see all.
 */
@Injectable()
export class JobStatusService implements OnModuleInit {
  private readonly logger = new Logger('JobStatuses');

  constructor(
    private readonly statuses: JobStatusRepository,
    private readonly users: UserService,
    private readonly work: DurableWork,
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.work.register({
      entity: JobStatusEntity,
      jobName: BULK_JOB,
      leaseMs: LEASE_MS,
      staleAfterMs: STALE_AFTER_MS,
      maxAttempts: MAX_ATTEMPTS,
    });
  }

  async show(token: string, user: Readonly<UserEntity>): Promise<JobStatusEntity> {
    const job = /^[0-9a-f]{32}$/.test(token) ? await this.statuses.findByToken(token) : null;
    if (!job || !maySee(user, job)) throw new StewardError(ErrorCode.NotFound, 'Not found');
    return job;
  }

  /** The job statuses of these ids the user may see; the others are left out. */
  async showMany(
    tokens: readonly string[],
    user: Readonly<UserEntity>,
  ): Promise<JobStatusEntity[]> {
    const valid = tokens.filter((token) => /^[0-9a-f]{32}$/.test(token));
    return (await this.statuses.findByTokens(valid)).filter((job) => maySee(user, job));
  }

  /** The user's most recent job statuses, newest first. */
  recent(user: Readonly<UserEntity>): Promise<JobStatusEntity[]> {
    return this.statuses.recentOf(user.id, RECENT_JOB_STATUSES);
  }

  /**
   * Records the work and queues its job. Durable once this resolves: if the queue is down the
   * row waits for the sweeper, so the caller still gets the queued job status.
   */
  async enqueue(
    jobType: JobType,
    owner: Readonly<UserEntity>,
    total: number,
    payload: object,
  ): Promise<JobStatusEntity> {
    const now = this.clock.now();
    const job = await this.statuses.insert({
      token: randomBytes(16).toString('hex'),
      jobType,
      total,
      payload,
      createdBy: owner.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + JOB_STATUS_TTL_MS),
    });
    try {
      await this.work.submit(BULK_JOB, [job.id]);
    } catch (error) {
      this.logger.warn(`job status ${job.id} waits for the sweeper: ${errorMessage(error)}`);
    }
    return job;
  }

  /**
   * Runs a job under a claim: `perform` goes through the items with `steps` and returns the
   * message to end with. Returns without doing anything when another runner holds the job or
   * it has ended. An unexpected error gives the claim back (the queue retries) or, after the
   * last attempt, fails the job.
   */
  async run(
    id: number,
    perform: (job: JobStatusEntity, steps: JobSteps) => Promise<string | null>,
  ): Promise<void> {
    const claim = randomBytes(12).toString('hex');
    if (!(await this.statuses.claim(id, claim, this.clock.now(), this.leaseUntil()))) return;
    try {
      const job = await this.statuses.findById(id);
      if (!job) return;
      const steps = await this.stepsOf(job, claim);
      const message = await perform(job, steps);
      const failed = steps.results().some((result) => !result.success);
      if (!(await this.statuses.finish(id, claim, 'completed', message, this.clock.now()))) {
        throw new ClaimLostError();
      }
      if (failed) this.logger.log(`job status ${id} completed with failed items`);
    } catch (error) {
      if (error instanceof ClaimLostError) {
        this.logger.warn(`job status ${id}: the claim lapsed; another runner goes on`);
        return;
      }
      const job = await this.statuses.findById(id);
      const exhausted =
        error instanceof PermanentJobError || (job?.workAttempts ?? 0) >= MAX_ATTEMPTS;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await this.statuses.release(id, claim, exhausted, reason, this.clock.now());
      throw exhausted && !(error instanceof PermanentJobError)
        ? new PermanentJobError(`job status ${id} failed ${MAX_ATTEMPTS} times: ${reason}`)
        : error;
    }
  }

  /** Deletes the job statuses past their expiry, every hour. */
  @JobHandler({
    name: EXPIRE_JOB_STATUSES_JOB,
    payload: noPayload,
    cron: '0 23 * * * *',
    attempts: 3,
  })
  async expire(): Promise<number> {
    const deleted = await this.statuses.deleteExpired(this.clock.now());
    if (deleted > 0) this.logger.log(`deleted ${deleted} expired job status(es)`);
    return deleted;
  }

  private leaseUntil(): Date {
    return new Date(this.clock.now().getTime() + LEASE_MS);
  }

  private async stepsOf(job: JobStatusEntity, claim: string): Promise<JobSteps> {
    const user = await this.users.findById(job.createdBy);
    const owner = user && isActiveUser(user) ? user : undefined;
    const results = new Map<number, JobResult>(job.results.map((r) => [r.index, r]));
    const ordered = () => [...results.values()].sort((a, b) => a.index - b.index);
    // Each item commits with its result, under the claim (renew locks the row on MySQL).
    const record = async (produce: () => Promise<JobResult>): Promise<JobResult> => {
      const saved = await this.db.transaction(async () => {
        if (!(await this.statuses.renew(job.id, claim, this.leaseUntil()))) {
          throw new ClaimLostError();
        }
        const outcome = await produce();
        const next = new Map(results).set(outcome.index, outcome);
        await this.statuses.recordResults(
          job.id,
          [...next.values()].sort((a, b) => a.index - b.index),
          next.size,
          this.clock.now(),
        );
        return outcome;
      });
      results.set(saved.index, saved);
      return saved;
    };
    const fail = (
      index: number,
      action: JobAction,
      id: number | undefined,
      errors: string,
      details: string,
    ): Promise<JobResult> =>
      record(() => Promise.resolve(failure(index, action, id, errors, details)));
    return {
      owner,
      done: (index) => results.has(index),
      results: ordered,
      fail,
      step: async (index, action, id, work) => {
        const existing = results.get(index);
        if (existing) return existing;
        try {
          return await record(async () => {
            const outcome = await work();
            return { index, id: outcome.id ?? id, action, success: true, status: outcome.status };
          });
        } catch (error) {
          if (!(error instanceof StewardError)) throw error;
          return fail(index, action, id, ERROR_NAMES[error.code] ?? 'Failed', detailsOf(error));
        }
      },
    };
  }
}

function maySee(user: Readonly<UserEntity>, job: JobStatusEntity): boolean {
  return user.role === 'admin' || job.createdBy === user.id;
}

function failure(
  index: number,
  action: JobAction,
  id: number | undefined,
  errors: string,
  details: string,
): JobResult {
  return {
    index,
    ...(id === undefined ? {} : { id }),
    action,
    success: false,
    status: 'Failed',
    errors,
    details,
  };
}

/** An error's details as one line: `subject: is too long; status: …`, or its message. */
function detailsOf(error: StewardError): string {
  const parts = Object.entries(error.details ?? {}).map(
    ([field, problems]) => `${field}: ${problems.join(', ')}`,
  );
  return (parts.length > 0 ? parts.join('; ') : error.message).slice(0, 500);
}
