import { Injectable } from '@nestjs/common';
import { AuditAction, AuditLog } from '@steward/audit';
import { Database } from '@steward/persistence';
import { Clock, optionalText, requiredLine } from '@steward/platform';
import type { AuditActor } from './api-token.service';
import type { CustomRoleEntity } from './custom-role.entity';
import { CustomRoleError } from './custom-role.errors';
import { CustomRoleRepository } from './custom-role.repository';
import { AGENT_GRANTABLE_PERMISSIONS, isAgentGrantable, type Permission } from './policy.service';

export const MAX_CUSTOM_ROLE_NAME_LENGTH = 255;
export const MAX_CUSTOM_ROLE_DESCRIPTION_LENGTH = 1000;

/** What a client may set; on update, an absent field stays as it is. */
export interface CustomRoleInput {
  readonly name?: string;
  readonly description?: string | null;
  readonly permissions?: readonly string[];
}

/** A role and how many users hold it. */
export interface CustomRoleWithHolders {
  readonly role: CustomRoleEntity;
  readonly holders: number;
}

/**
 * Custom agent roles: named sets of agent-grantable permissions that admins define and give
 * to agents (`users.custom_role_id`). Every change is audited as `custom_role.changed`. A
 * change reaches a signed-in agent at once through a session, and within the API token cache
 * (TOKEN_CACHE_TTL_MS) through a token, since both load the role with the user.
 */
@Injectable()
export class CustomRoleService {
  constructor(
    private readonly roles: CustomRoleRepository,
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async list(): Promise<CustomRoleWithHolders[]> {
    const roles = await this.roles.list();
    const holders = await this.roles.holderCounts(roles.map((role) => role.id));
    return roles.map((role) => ({ role, holders: holders.get(role.id) ?? 0 }));
  }

  async show(id: number): Promise<CustomRoleWithHolders> {
    const role = await this.roles.findById(id);
    if (!role) throw CustomRoleError.notFound();
    const holders = await this.roles.holderCounts([id]);
    return { role, holders: holders.get(id) ?? 0 };
  }

  async create(input: CustomRoleInput, actor: AuditActor): Promise<CustomRoleWithHolders> {
    if (input.name === undefined) throw CustomRoleError.invalid('name', 'cannot be blank');
    if (input.permissions === undefined) {
      throw CustomRoleError.invalid('permissions', 'is required: list what the role may do');
    }
    const name = checkName(input.name);
    const description = checkDescription(input.description ?? null);
    const permissions = checkPermissions(input.permissions);
    const id = await this.db.transaction(async () => {
      await this.checkNameFree(name, undefined);
      const now = this.clock.now();
      const role = await this.roles.insert({
        name,
        description,
        permissions,
        createdAt: now,
        updatedAt: now,
      });
      await this.record(actor, role.id, { change: 'created', name, permissions });
      return role.id;
    });
    return this.show(id);
  }

  async update(
    id: number,
    input: CustomRoleInput,
    actor: AuditActor,
  ): Promise<CustomRoleWithHolders> {
    const name = input.name === undefined ? undefined : checkName(input.name);
    const description =
      input.description === undefined ? undefined : checkDescription(input.description);
    const permissions =
      input.permissions === undefined ? undefined : checkPermissions(input.permissions);
    await this.db.transaction(async () => {
      const role = await this.roles.findById(id);
      if (!role) throw CustomRoleError.notFound();
      if (name !== undefined) await this.checkNameFree(name, id);
      const fields: string[] = [];
      if (name !== undefined && name !== role.name) fields.push('name');
      if (description !== undefined && description !== role.description) {
        fields.push('description');
      }
      const changedPermissions =
        permissions !== undefined && permissions.join() !== role.permissions.join();
      if (changedPermissions) fields.push('permissions');
      if (fields.length === 0) return;
      await this.roles.update({
        ...role,
        name: name ?? role.name,
        description: description === undefined ? role.description : description,
        permissions: permissions ?? role.permissions,
        updatedAt: this.clock.now(),
      });
      await this.record(actor, id, {
        change: 'updated',
        name: name ?? role.name,
        fields,
        // The whole new set: the audit log alone says what a role allowed when.
        ...(changedPermissions ? { from: role.permissions, to: permissions } : {}),
      });
    });
    return this.show(id);
  }

  /** Deletes a role that nobody holds; a role in use is refused with a 422 naming the count. */
  async delete(id: number, actor: AuditActor): Promise<void> {
    await this.db.transaction(async () => {
      const role = await this.roles.findById(id);
      if (!role) throw CustomRoleError.notFound();
      const holders = (await this.roles.holderCounts([id])).get(id) ?? 0;
      if (holders > 0) throw CustomRoleError.inUse(holders);
      await this.roles.delete(id);
      await this.record(actor, id, { change: 'deleted', name: role.name });
    });
  }

  private async checkNameFree(name: string, self: number | undefined): Promise<void> {
    const taken = await this.roles.findByNameIgnoringCase(name);
    if (taken && taken.id !== self) throw CustomRoleError.invalid('name', 'has already been taken');
  }

  private async record(
    actor: AuditActor,
    id: number,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record({
      ...actor,
      action: AuditAction.customRoleChanged,
      targetType: 'custom_role',
      targetId: id,
      details,
    });
  }
}

function checkName(raw: string): string {
  return requiredLine(raw, MAX_CUSTOM_ROLE_NAME_LENGTH, (problem) =>
    CustomRoleError.invalid('name', problem),
  );
}

function checkDescription(raw: string | null): string | null {
  return optionalText(raw, MAX_CUSTOM_ROLE_DESCRIPTION_LENGTH, (problem) =>
    CustomRoleError.invalid('description', problem),
  );
}

/** Agent-grantable names only, each once, in the order of AGENT_GRANTABLE_PERMISSIONS. */
function checkPermissions(raw: readonly string[]): Permission[] {
  const refused = raw.filter((name) => !isAgentGrantable(name));
  if (refused.length > 0) {
    throw CustomRoleError.invalid(
      'permissions',
      `cannot include ${JSON.stringify(refused[0]?.slice(0, 64))}: a custom role may grant only ` +
        AGENT_GRANTABLE_PERMISSIONS.join(', '),
    );
  }
  return AGENT_GRANTABLE_PERMISSIONS.filter((name) => raw.includes(name));
}
