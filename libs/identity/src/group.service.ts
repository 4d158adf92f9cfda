import { Injectable } from '@nestjs/common';
import { AuditAction, AuditLog } from '@steward/audit';
import { Database } from '@steward/persistence';
import { Clock, optionalText, requiredLine } from '@steward/platform';
import type { AuditActor } from './api-token.service';
import type { GroupEntity } from './group.entity';
import { GroupError } from './group.errors';
import { GroupMembershipRepository } from './group-membership.repository';
import { GroupRepository, type GroupRow } from './group.repository';
import type { PageWindow } from './organization.service';

export const MAX_GROUP_NAME_LENGTH = 255;
export const MAX_GROUP_DESCRIPTION_LENGTH = 1000;

/** What a client may set; on update, an absent field stays as it is. */
export interface GroupInput {
  readonly name?: string;
  readonly description?: string | null;
  readonly isDefault?: boolean;
  readonly isPublic?: boolean;
  readonly confidential?: boolean;
}

export interface GroupPage {
  readonly groups: readonly GroupEntity[];
  readonly count: number;
}

/** Groups of agents (departments); deleting one keeps it, marked deleted, as Zendesk does. */
@Injectable()
export class GroupService {
  constructor(
    private readonly groups: GroupRepository,
    private readonly memberships: GroupMembershipRepository,
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  /** The groups that are not deleted. */
  async list({ offset, perPage }: PageWindow): Promise<GroupPage> {
    const [groups, count] = await this.groups.page(offset, perPage);
    return { groups, count };
  }

  /** A group, deleted ones included (with `deletedAt` set). */
  /** The default group for new tickets (Zendesk's `default: true`), if there is one. */
  defaultGroup(): Promise<GroupEntity | null> {
    return this.groups.findDefault();
  }

  async show(id: number): Promise<GroupEntity> {
    const group = await this.groups.findById(id);
    if (!group) throw GroupError.notFound();
    return group;
  }

  async create(input: GroupInput, actor: AuditActor): Promise<GroupEntity> {
    if (input.name === undefined) throw GroupError.invalid('name', 'cannot be blank');
    const name = checkName(input.name);
    const now = this.clock.now();
    const id = await this.db.transaction(async () => {
      await this.checkNameFree(name, undefined);
      const group = await this.groups.insert({
        name,
        description: checkDescription(input.description ?? null),
        isDefault: input.isDefault ?? false,
        isPublic: input.isPublic ?? true,
        confidential: input.confidential ?? false,
        deletedAt: null,
        createdAt: now,
        updatedAt: now,
      });
      if (group.isDefault) await this.groups.clearDefaultExcept(group.id, now);
      await this.record(actor, group.id, { change: 'created', name });
      return group.id;
    });
    return this.show(id);
  }

  async update(id: number, input: GroupInput, actor: AuditActor): Promise<GroupEntity> {
    const changes: { -readonly [K in keyof GroupRow]?: GroupRow[K] } = {};
    if (input.name !== undefined) changes.name = checkName(input.name);
    if (input.description !== undefined) changes.description = checkDescription(input.description);
    if (input.isDefault !== undefined) changes.isDefault = input.isDefault;
    if (input.isPublic !== undefined) changes.isPublic = input.isPublic;
    if (input.confidential !== undefined) changes.confidential = input.confidential;
    await this.db.transaction(async () => {
      const group = await this.groups.findById(id);
      if (!group || group.deletedAt !== null) throw GroupError.notFound();
      if (changes.name !== undefined) await this.checkNameFree(changes.name, id);
      const now = this.clock.now();
      await this.groups.update(id, { ...changes, updatedAt: now });
      if (changes.isDefault === true) await this.groups.clearDefaultExcept(id, now);
      const fields = Object.keys(changes);
      await this.record(actor, id, { change: 'updated', name: changes.name ?? group.name, fields });
    });
    return this.show(id);
  }

  /** Marks the group deleted (no longer the default) and removes its memberships. */
  async delete(id: number, actor: AuditActor): Promise<void> {
    await this.db.transaction(async () => {
      const group = await this.groups.findById(id);
      if (!group || group.deletedAt !== null) throw GroupError.notFound();
      const now = this.clock.now();
      await this.groups.update(id, { deletedAt: now, isDefault: false, updatedAt: now });
      const members = await this.memberships.deleteOfGroup(id);
      for (const userId of members) await this.memberships.ensureDefault(userId, now);
      await this.record(actor, id, {
        change: 'deleted',
        name: group.name,
        members: members.length,
      });
    });
  }

  private async checkNameFree(name: string, self: number | undefined): Promise<void> {
    const taken = await this.groups.findByNameIgnoringCase(name);
    if (taken && taken.id !== self) throw GroupError.invalid('name', 'has already been taken');
  }

  private async record(
    actor: AuditActor,
    id: number,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record({
      ...actor,
      action: AuditAction.groupChanged,
      targetType: 'group',
      targetId: id,
      details,
    });
  }
}

function checkName(raw: string): string {
  return requiredLine(raw, MAX_GROUP_NAME_LENGTH, (problem) => GroupError.invalid('name', problem));
}

function checkDescription(raw: string | null): string | null {
  return optionalText(raw, MAX_GROUP_DESCRIPTION_LENGTH, (problem) =>
    GroupError.invalid('description', problem),
  );
}
