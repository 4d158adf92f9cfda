import { Brackets, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';

/**
 * Which tickets a staff member may see, as a filter every ticket query applies: never the
 * tickets of `hiddenGroupIds` (confidential groups they are not in and hold no break-glass grant
 * for); and, unless they may read every group's tickets, only tickets of `groupIds` (their
 * groups), tickets assigned to them and tickets in no group yet. Made per request: it holds
 * for the moment it was made.
 */
export interface TicketScope {
  readonly userId: number;
  readonly hiddenGroupIds: readonly number[];
  /** Undefined: every group that is not hidden. */
  readonly groupIds?: readonly number[];
}

/** Whether a ticket is inside the scope: the same rule as the repository's SQL, in memory. */
export function scopeAllows(
  scope: TicketScope,
  ticket: { readonly groupId: number | null; readonly assigneeId: number | null },
): boolean {
  if (ticket.groupId !== null && scope.hiddenGroupIds.includes(ticket.groupId)) return false;
  if (scope.groupIds === undefined || ticket.groupId === null) return true;
  return scope.groupIds.includes(ticket.groupId) || ticket.assigneeId === scope.userId;
}

/**
 * The scope's group rule on a query over `t` (tickets, or the ticket counts, which have the same
 * group and assignee columns); deleted tickets are the caller's business (the incremental export
 * shows them).
 */
export function withinScope<T extends ObjectLiteral>(
  builder: SelectQueryBuilder<T>,
  scope: TicketScope,
): SelectQueryBuilder<T> {
  if (scope.hiddenGroupIds.length > 0) {
    builder.andWhere('(t.group_id IS NULL OR t.group_id NOT IN (:...hiddenGroupIds))', {
      hiddenGroupIds: [...scope.hiddenGroupIds],
    });
  }
  const groupIds = scope.groupIds;
  if (groupIds !== undefined) {
    builder.andWhere(
      new Brackets((or) => {
        or.where('t.group_id IS NULL').orWhere('t.assignee_id = :scopeUserId', {
          scopeUserId: scope.userId,
        });
        if (groupIds.length > 0) {
          or.orWhere('t.group_id IN (:...scopeGroupIds)', { scopeGroupIds: [...groupIds] });
        }
      }),
    );
  }
  return builder;
}
