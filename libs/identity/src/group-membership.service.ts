import { Injectable } from '@nestjs/common';
import { AuditAction, AuditLog } from '@steward/audit';
import { Database } from '@steward/persistence';
import { Clock } from '@steward/platform';
import type { AuditActor } from './api-token.service';
import type { GroupMembershipEntity } from './group-membership.entity';
import { GroupMembershipRepository, type MembershipFilter } from './group-membership.repository';
import { GroupError } from './group.errors';
import { GroupRepository } from './group.repository';
import type { PageWindow } from './organization.service';
import { UserRepository } from './user.repository';
import { isActiveUser } from './user.service';

export interface GroupMembershipInput {
  readonly userId: number;
  readonly groupId: number;
  readonly isDefault?: boolean;
}

export interface GroupMembershipPage {
  readonly memberships: readonly GroupMembershipEntity[];
  readonly count: number;
}

/** Which agents and admins belong to which groups; each user has one default group. */
@Injectable()
export class GroupMembershipService {
  constructor(
    private readonly memberships: GroupMembershipRepository,
    private readonly groups: GroupRepository,
    private readonly users: UserRepository,
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  list(window: PageWindow): Promise<GroupMembershipPage> {
    return this.page({}, window);
  }

  /** The memberships of a user; 404 when there is no such user. */
  async listOfUser(userId: number, window: PageWindow): Promise<GroupMembershipPage> {
    if (!(await this.users.findById(userId))) throw GroupError.notFound();
    return this.page({ userId }, window);
  }

  /** The memberships of a group; 404 when there is no such group, or it is deleted. */
  async listOfGroup(groupId: number, window: PageWindow): Promise<GroupMembershipPage> {
    const group = await this.groups.findById(groupId);
    if (!group || group.deletedAt !== null) throw GroupError.notFound();
    return this.page({ groupId }, window);
  }

  async show(id: number): Promise<GroupMembershipEntity> {
    const membership = await this.memberships.findById(id);
    if (!membership) throw GroupError.notFound();
    return membership;
  }

  /** Adds an agent or admin to a group; the user's first membership becomes the default. */
  async create(input: GroupMembershipInput, actor: AuditActor): Promise<GroupMembershipEntity> {
    const id = await this.db.transaction(async () => {
      const user = await this.users.findById(input.userId);
      if (!user || !isActiveUser(user))
        throw GroupError.invalid('user_id', 'is not an active user');
      if (user.role === 'end-user') {
        throw GroupError.invalid(
          'user_id',
          'must be an agent or an admin; end users cannot join groups',
        );
      }
      const group = await this.groups.findById(input.groupId);
      if (!group || group.deletedAt !== null)
        throw GroupError.invalid('group_id', 'is not a group');
      if (await this.memberships.find(user.id, group.id)) {
        throw GroupError.invalid('user_id', 'is already a member of this group');
      }
      // Joining a confidential group opens its tickets: never on one's own say. An admin who
      // needs to look uses break-glass (audited, with a reason, time-limited) or asks another.
      if (group.confidential && actor.actorType === 'user' && actor.actorId === user.id) {
        throw GroupError.selfJoinRefused();
      }
      const now = this.clock.now();
      const first = (await this.memberships.countOfUser(user.id)) === 0;
      const membership = await this.memberships.insert({
        userId: user.id,
        groupId: group.id,
        isDefault: first || input.isDefault === true,
        createdAt: now,
        updatedAt: now,
      });
      if (membership.isDefault) {
        await this.memberships.clearDefaultExcept(user.id, membership.id, now);
      }
      await this.audit.record({
        ...actor,
        action: AuditAction.groupMembershipAdded,
        targetType: 'group',
        targetId: group.id,
        details: { membershipId: membership.id, userId: user.id },
      });
      return membership.id;
    });
    return this.show(id);
  }

  async delete(id: number, actor: AuditActor): Promise<void> {
    await this.db.transaction(async () => {
      const membership = await this.memberships.findById(id);
      if (!membership) throw GroupError.notFound();
      await this.memberships.delete(id);
      if (membership.isDefault) {
        await this.memberships.ensureDefault(membership.userId, this.clock.now());
      }
      await this.audit.record({
        ...actor,
        action: AuditAction.groupMembershipRemoved,
        targetType: 'group',
        targetId: membership.groupId,
        details: { membershipId: membership.id, userId: membership.userId },
      });
    });
  }

  /** Every membership of these users, with their groups' names (a data subject's export). */
  listOfUsers(userIds: readonly number[]): Promise<GroupMembershipEntity[]> {
    return this.memberships.listOfUsers(userIds);
  }

  /** Deletes every membership of these users (erasure); returns how many. */
  deleteOfUsers(userIds: readonly number[]): Promise<number> {
    return this.memberships.deleteOfUsers(userIds);
  }

  private async page(
    filter: MembershipFilter,
    { offset, perPage }: PageWindow,
  ): Promise<GroupMembershipPage> {
    const [memberships, count] = await this.memberships.page(filter, offset, perPage);
    return { memberships, count };
  }
}
