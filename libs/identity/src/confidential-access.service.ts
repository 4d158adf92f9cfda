import { Injectable } from '@nestjs/common';
import { Clock } from '@steward/platform';
import { BreakGlassGrantRepository } from './break-glass-grant.repository';
import { PolicyService } from './policy.service';
import type { UserEntity } from './user.entity';

/**
 * The permission that lets staff read a group's content at all. THE place to swap in the
 * tickets permission (`tickets.read`) when the tickets feature decides how it reads.
 */
export const GROUP_CONTENT_PERMISSION = 'groups.read';

/** Whom confidential access is decided for: the user, as the policy judges them. */
export type ContentReader = Parameters<PolicyService['can']>[0] & Pick<UserEntity, 'id'>;

/**
 * Whose content a user may see, as a filter for queries: `none` sees no group's content;
 * `all-except` sees every group's (and content in no group) but the listed confidential groups.
 * It holds at the moment it was made (grants expire): make one per request, never cache it.
 */
export type GroupContentFilter =
  | { readonly kind: 'none' }
  | { readonly kind: 'all-except'; readonly hiddenGroupIds: readonly number[] };

/** Whether the filter lets its user see content of this group (null: content in no group). */
export function contentFilterAllows(filter: GroupContentFilter, groupId: number | null): boolean {
  if (filter.kind === 'none') return false;
  return groupId === null || !filter.hiddenGroupIds.includes(groupId);
}

/**
 * Who may see a group's content (its tickets, attachments, search hits, view rows and counts),
 * as opposed to the group itself (which every member of staff sees, to route tickets to it). Staff with the content
 * permission see every group that is not confidential. A confidential group's content only its
 * members see; admins are not members by default and see it only while they hold an active
 * break-glass grant (BreakGlassService), and only while they may still open one.
 */
@Injectable()
export class ConfidentialAccess {
  constructor(
    private readonly grants: BreakGlassGrantRepository,
    private readonly policy: PolicyService,
    private readonly clock: Clock,
  ) {}

  /** May the user see content of this group; `null` is content in no group. */
  async canSeeGroupContent(user: ContentReader, groupId: number | null): Promise<boolean> {
    if (!this.policy.can(user, GROUP_CONTENT_PERMISSION)) return false;
    if (groupId === null) return true;
    const confidential = await this.grants.groupConfidentiality(groupId);
    if (confidential === undefined) return false;
    if (!confidential || (await this.grants.isMember(user.id, groupId))) return true;
    if (!this.policy.can(user, 'groups.break_glass')) return false;
    return this.grants.hasActiveGrant(user.id, groupId, this.clock.now());
  }

  /** The same decision for every group at once, as a filter for list, search and count queries. */
  async contentFilter(
    user: ContentReader,
    /** The user's groups, when the caller has read them already. */
    memberGroupIds?: readonly number[],
  ): Promise<GroupContentFilter> {
    if (!this.policy.can(user, GROUP_CONTENT_PERMISSION)) return { kind: 'none' };
    const confidential = await this.grants.confidentialGroupIds();
    if (confidential.length === 0) return { kind: 'all-except', hiddenGroupIds: [] };
    const open = new Set(memberGroupIds ?? (await this.grants.memberGroupIdsOf(user.id)));
    if (this.policy.can(user, 'groups.break_glass')) {
      for (const id of await this.grants.activeGroupIdsOf(user.id, this.clock.now())) open.add(id);
    }
    return { kind: 'all-except', hiddenGroupIds: confidential.filter((id) => !open.has(id)) };
  }
}
