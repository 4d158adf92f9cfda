import { Injectable } from '@nestjs/common';
import type { GroupEntity } from './group.entity';
import type { UserEntity, UserRole } from './user.entity';
import { isActiveUser } from './user.service';

/** Every permission a route or a service may ask for. A name not listed here is never granted. */
export const PERMISSIONS = [
  /** Read one's own profile (`GET /api/v2/users/me.json`). */
  'users.me',
  /** Read other users' profiles and identities; search users. */
  'users.read',
  /** Create end-users and change end-users and their identities. */
  'users.write',
  /** Create and change users of any role, change roles, deactivate users. */
  'users.manage',
  /** Read the audit log (`GET /api/v2/audit_logs`). */
  'audit_logs.read',
  /** List and show organizations. */
  'organizations.read',
  /** Create, change and delete organizations. */
  'organizations.manage',
  /** List and show groups and group memberships. */
  'groups.read',
  /** Create, change and delete groups; add and remove members. */
  'groups.manage',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** What each role may do; admins may do everything listed in PERMISSIONS. */
const GRANTS: Readonly<Record<UserRole, 'every permission' | readonly Permission[]>> = {
  admin: 'every permission',
  agent: ['users.me', 'users.read', 'users.write', 'organizations.read', 'groups.read'],
  'end-user': ['users.me'],
};

export function isPermission(name: string): name is Permission {
  return (PERMISSIONS as readonly string[]).includes(name);
}

/** The one place that answers "may this user do that": deny unless the table grants it. */
@Injectable()
export class PolicyService {
  can(user: Pick<UserEntity, 'role' | 'active' | 'erasedAt'>, permission: string): boolean {
    if (!isActiveUser(user) || !isPermission(permission)) return false;
    if (!Object.hasOwn(GRANTS, user.role)) return false;
    const granted = GRANTS[user.role];
    return granted === 'every permission' || granted.includes(permission);
  }

  /** May the actor change this user: whoever manages users anyone, agents only end-users. */
  canEditUser(
    actor: Pick<UserEntity, 'role' | 'active' | 'erasedAt'>,
    target: Pick<UserEntity, 'role'>,
  ): boolean {
    if (this.can(actor, 'users.manage')) return true;
    return this.can(actor, 'users.write') && target.role === 'end-user';
  }

  /**
   * May this user see the group (and, later, its tickets): whoever may manage groups sees all;
   * whoever may read groups sees those not deleted, and a confidential one only as a member.
   */
  canSeeGroup(
    user: Pick<UserEntity, 'role' | 'active' | 'erasedAt'>,
    group: Pick<GroupEntity, 'confidential' | 'deletedAt'>,
    isMember: boolean,
  ): boolean {
    if (this.can(user, 'groups.manage')) return true;
    if (!this.can(user, 'groups.read') || group.deletedAt !== null) return false;
    return !group.confidential || isMember;
  }
}
