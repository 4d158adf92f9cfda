import { Injectable } from '@nestjs/common';
import { isActiveUser, type UserEntity, UserService } from '@steward/identity';
import { PermanentJobError } from '@steward/queue';
import type { JobSteps } from './job-status.service';
import { TicketError } from './ticket.errors';
import type { ViaChannel } from './ticket.entity';
import { MAX_COLLABORATORS, TicketService, type TicketView } from './ticket.service';

/** Zendesk merges at most five tickets into one at a time. */
export const MAX_MERGE_SOURCES = 5;

/** What a merge request asks for (`POST /api/v2/tickets/{id}/merge`). */
export interface MergeInput {
  readonly sourceIds: readonly number[];
  readonly targetComment?: string;
  readonly sourceComment?: string;
  readonly targetCommentIsPublic?: boolean;
  readonly sourceCommentIsPublic?: boolean;
}

/** A merge as its job status keeps it until the job is done. */
export interface MergePayload extends MergeInput {
  readonly targetId: number;
  readonly via: ViaChannel;
}

/**
 * Merging tickets into one, as Zendesk does: each source gets the source comment and is
 * closed with the tag `closed_by_merge`; then the target gets the target comment (by default
 * "Tickets #x, #y were closed and merged into this ticket.") and the sources' requesters and
 * CCs as CCs. Everything goes through TicketService as the caller, so scope, confidential
 * groups and audits apply. The job closes the sources first, so the target's comment names
 * only the tickets that were merged.
 */
@Injectable()
export class TicketMergeService {
  constructor(
    private readonly tickets: TicketService,
    private readonly users: UserService,
  ) {}

  /** What can be checked before the job is queued: the caller may change every ticket. */
  async check(targetId: number, input: MergeInput, user: Readonly<UserEntity>): Promise<void> {
    const { sourceIds } = input;
    if (sourceIds.length === 0)
      throw TicketError.invalid('ids', 'is required: the tickets to merge');
    if (sourceIds.length > MAX_MERGE_SOURCES) {
      throw TicketError.invalid('ids', `at most ${MAX_MERGE_SOURCES} tickets at a time`);
    }
    if (new Set(sourceIds).size !== sourceIds.length) {
      throw TicketError.invalid('ids', 'names a ticket twice');
    }
    if (sourceIds.includes(targetId)) {
      throw TicketError.invalid('ids', 'cannot include the ticket merged into');
    }
    const target = await this.tickets.show(targetId, user);
    if (target.ticket.status === 'closed') {
      throw TicketError.invalid('status', 'a closed ticket cannot be merged into');
    }
    const sources = await this.tickets.showMany(sourceIds, user);
    for (const id of sourceIds) {
      const source = sources.find((view) => view.ticket.id === id);
      if (!source) throw TicketError.invalid('ids', `${id} is not a ticket you can merge`);
      if (source.ticket.status === 'closed') {
        throw TicketError.invalid('ids', `${id} is closed and cannot be merged`);
      }
    }
  }

  /** The merge job: the sources one by one (results 0…n-1), then the target (result n). */
  async perform(
    payload: MergePayload,
    owner: Readonly<UserEntity>,
    steps: JobSteps,
  ): Promise<string> {
    const actor = { user: owner, via: payload.via };
    for (const [index, sourceId] of payload.sourceIds.entries()) {
      await steps.step(index, 'merge', sourceId, async () => {
        const source = await this.tickets.show(sourceId, owner);
        await this.tickets.closeMerged(
          sourceId,
          {
            body:
              payload.sourceComment ??
              `This ticket was closed and merged into ticket #${payload.targetId}.`,
            isPublic: payload.sourceCommentIsPublic ?? source.ticket.isPublic,
          },
          actor,
        );
        return { status: 'Merged' };
      });
    }
    const merged = steps
      .results()
      .filter((result) => result.success && result.index < payload.sourceIds.length)
      .map((result) => result.id as number);
    const targetIndex = payload.sourceIds.length;
    if (merged.length === 0) {
      if (!steps.done(targetIndex)) {
        await steps.fail(
          targetIndex,
          'update',
          payload.targetId,
          'MergeFailed',
          'no ticket could be merged',
        );
      }
      return 'No ticket was merged';
    }
    await steps.step(targetIndex, 'update', payload.targetId, async () => {
      const target = await this.tickets.show(payload.targetId, owner);
      const sources = await this.tickets.showMany(merged, owner);
      await this.tickets.update(
        payload.targetId,
        {
          comment: {
            body:
              payload.targetComment ??
              `Tickets ${merged.map((id) => `#${id}`).join(', ')} were closed and merged into this ticket.`,
            isPublic: payload.targetCommentIsPublic ?? target.ticket.isPublic,
          },
          collaboratorIds: await this.collaboratorsAfter(target, sources),
        },
        actor,
      );
      return { status: 'Updated' };
    });
    const failed = payload.sourceIds.length - merged.length;
    return failed === 0
      ? `Merged ${merged.length} ticket(s)`
      : `Merged ${merged.length} ticket(s); ${failed} could not be merged`;
  }

  /** The target's CCs, then the sources' requesters and CCs who are still active users. */
  private async collaboratorsAfter(
    target: TicketView,
    sources: readonly TicketView[],
  ): Promise<number[]> {
    const wanted = new Set(target.collaboratorIds);
    for (const source of sources) {
      for (const id of [source.ticket.requesterId, ...source.collaboratorIds]) wanted.add(id);
    }
    wanted.delete(target.ticket.requesterId);
    const ids: number[] = [];
    for (const id of wanted) {
      if (ids.length === MAX_COLLABORATORS) break;
      if (target.collaboratorIds.includes(id)) {
        ids.push(id);
        continue;
      }
      const user = await this.users.findById(id);
      if (user && isActiveUser(user)) ids.push(id);
    }
    return ids;
  }
}

/** A merge payload read back from the job status row; throws when it is not one. */
export function mergePayload(value: unknown): MergePayload {
  const payload = value as Partial<MergePayload> | null;
  if (
    !payload ||
    typeof payload.targetId !== 'number' ||
    !Array.isArray(payload.sourceIds) ||
    typeof payload.via !== 'string'
  ) {
    throw new PermanentJobError('the job status holds no merge');
  }
  return payload as MergePayload;
}
