import { Injectable } from '@nestjs/common';
import { PolicyService, type UserEntity } from '@steward/identity';
import { ErrorCode, StewardError } from '@steward/platform';
import { type IdPayload, idPayload, JobHandler, PermanentJobError } from '@steward/queue';
import type { JobStatusEntity } from './job-status.entity';
import { BULK_JOB, type JobSteps, JobStatusService } from './job-status.service';
import type { ViaChannel } from './ticket.entity';
import { TicketError } from './ticket.errors';
import { mergePayload, type MergeInput, TicketMergeService } from './ticket-merge.service';
import { type TicketActor, type TicketInput, TicketService } from './ticket.service';

/** Zendesk's limit on the tickets of one create_many, update_many or destroy_many. */
export const MAX_BULK_TICKETS = 100;

/** One change of an update_many: the ticket and what to change on it. */
export interface BulkUpdate {
  readonly id: number;
  readonly input: TicketInput;
}

/** What the job statuses of each kind keep until their job is done. */
interface CreatePayload {
  readonly via: ViaChannel;
  readonly tickets: readonly TicketInput[];
}
interface UpdatePayload {
  readonly via: ViaChannel;
  readonly updates: readonly BulkUpdate[];
}
interface DestroyPayload {
  readonly via: ViaChannel;
  readonly ids: readonly number[];
}

/**
 * Bulk ticket work (Zendesk's create_many, update_many, destroy_many and merge): the request's
 * shape is checked at once, the work is queued as a job status, and the job does each item
 * through TicketService as the caller — re-loaded when the job runs, so a caller who lost a
 * permission meanwhile fails the items — recording each item's result as it goes.
 */
@Injectable()
export class TicketBulkService {
  constructor(
    private readonly tickets: TicketService,
    private readonly jobs: JobStatusService,
    private readonly merges: TicketMergeService,
    private readonly policy: PolicyService,
  ) {}

  createMany(inputs: readonly TicketInput[], actor: TicketActor): Promise<JobStatusEntity> {
    this.require(actor.user, 'tickets.write', 'You do not have access to create tickets');
    checkCount('tickets', inputs.length);
    const payload: CreatePayload = { via: actor.via, tickets: inputs };
    return this.jobs.enqueue('tickets.create_many', actor.user, inputs.length, payload);
  }

  updateMany(updates: readonly BulkUpdate[], actor: TicketActor): Promise<JobStatusEntity> {
    this.require(actor.user, 'tickets.write', 'You do not have access to change tickets');
    checkCount('tickets', updates.length);
    const payload: UpdatePayload = { via: actor.via, updates };
    return this.jobs.enqueue('tickets.update_many', actor.user, updates.length, payload);
  }

  destroyMany(ids: readonly number[], actor: TicketActor): Promise<JobStatusEntity> {
    this.require(actor.user, 'tickets.delete', 'You do not have access to delete tickets');
    checkCount('ids', ids.length);
    const payload: DestroyPayload = { via: actor.via, ids };
    return this.jobs.enqueue('tickets.destroy_many', actor.user, ids.length, payload);
  }

  async merge(targetId: number, input: MergeInput, actor: TicketActor): Promise<JobStatusEntity> {
    this.require(actor.user, 'tickets.write', 'You do not have access to merge tickets');
    await this.merges.check(targetId, input, actor.user);
    return this.jobs.enqueue('tickets.merge', actor.user, input.sourceIds.length + 1, {
      ...input,
      targetId,
      via: actor.via,
    });
  }

  @JobHandler({ name: BULK_JOB, payload: idPayload, attempts: 5, backoffMs: 2_000 })
  async perform({ id }: IdPayload): Promise<void> {
    const jobId = Number(id);
    if (!Number.isSafeInteger(jobId)) throw new PermanentJobError('expected a job status id');
    await this.jobs.run(jobId, (job, steps) => this.performJob(job, steps));
  }

  private async performJob(job: JobStatusEntity, steps: JobSteps): Promise<string | null> {
    const owner = steps.owner;
    if (!owner) {
      for (let index = 0; index < job.total; index++) {
        if (steps.done(index)) continue;
        await steps.fail(
          index,
          actionOf(job),
          undefined,
          'PermissionDenied',
          'the user who asked is no longer active',
        );
      }
      return 'The user who asked for the job is no longer active';
    }
    switch (job.jobType) {
      case 'tickets.create_many': {
        const payload = job.payload as CreatePayload;
        const actor = { user: owner, via: payload.via };
        for (const [index, input] of payload.tickets.entries()) {
          await steps.step(index, 'create', undefined, async () => {
            const view = await this.tickets.create(restored(input), actor);
            return { id: view.ticket.id, status: 'Created' };
          });
        }
        return summary(steps, 'created');
      }
      case 'tickets.update_many': {
        const payload = job.payload as UpdatePayload;
        const actor = { user: owner, via: payload.via };
        for (const [index, update] of payload.updates.entries()) {
          await steps.step(index, 'update', update.id, async () => {
            await this.tickets.update(update.id, restored(update.input), actor);
            return { status: 'Updated' };
          });
        }
        return summary(steps, 'updated');
      }
      case 'tickets.destroy_many': {
        const payload = job.payload as DestroyPayload;
        const actor = { user: owner, via: payload.via };
        for (const [index, id] of payload.ids.entries()) {
          await steps.step(index, 'delete', id, async () => {
            await this.tickets.delete(id, actor);
            return { status: 'Deleted' };
          });
        }
        return summary(steps, 'deleted');
      }
      case 'tickets.merge':
        return this.merges.perform(mergePayload(job.payload), owner, steps);
    }
  }

  private require(user: Readonly<UserEntity>, permission: string, message: string): void {
    if (!this.policy.can(user, permission)) throw new StewardError(ErrorCode.Forbidden, message);
  }
}

function checkCount(field: string, count: number): void {
  if (count === 0) throw TicketError.invalid(field, 'is empty: send at least one ticket');
  if (count > MAX_BULK_TICKETS) {
    throw TicketError.invalid(field, `at most ${MAX_BULK_TICKETS} tickets at a time`);
  }
}

function actionOf(job: JobStatusEntity): 'create' | 'update' | 'delete' | 'merge' {
  switch (job.jobType) {
    case 'tickets.create_many':
      return 'create';
    case 'tickets.update_many':
      return 'update';
    case 'tickets.destroy_many':
      return 'delete';
    case 'tickets.merge':
      return 'merge';
  }
}

function summary(steps: JobSteps, done: string): string {
  const results = steps.results();
  const failed = results.filter((result) => !result.success).length;
  const succeeded = results.length - failed;
  return failed === 0
    ? `${succeeded} ticket(s) ${done}`
    : `${succeeded} ticket(s) ${done}; ${failed} failed`;
}

/** A ticket input read back from JSON: its times were stored as ISO strings. */
function restored(input: TicketInput): TicketInput {
  const times = input as { dueAt?: unknown; updatedStamp?: unknown };
  return {
    ...input,
    dueAt: typeof times.dueAt === 'string' ? new Date(times.dueAt) : input.dueAt,
    updatedStamp:
      typeof times.updatedStamp === 'string' ? new Date(times.updatedStamp) : input.updatedStamp,
  };
}
