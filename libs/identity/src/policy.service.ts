import { Injectable } from '@nestjs/common';
import type { CustomRoleEntity } from './custom-role.entity';
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
  /** Open, list and end audited, time-limited break-glass access to a confidential group. */
  'groups.break_glass',
  /** List, create, change and delete custom agent roles (`/api/v2/custom_roles`). */
  'custom_roles.manage',
  /**
   * Read the tickets of one's own groups, those assigned to one, and those in no group yet;
   * never those of a confidential group one is not in (`ConfidentialAccess`).
   */
  'tickets.read',
  /**
   * Read the tickets of every group, not only one's own; confidential groups still only as a
   * member or under break-glass. Admins have it; give it to agents through a custom role.
   */
  'tickets.read_all',
  /** Create tickets, change their fields, assign them to a group or an agent. */
  'tickets.write',
  /** Add a public reply, one the requester sees. */
  'tickets.comment_public',
  /** Add an internal note, one only staff see. */
  'tickets.comment_internal',
  /** Delete tickets (and so their comments and attachments). */
  'tickets.delete',
  /** The incremental ticket export (`/api/v2/incremental/tickets`): admins only. */
  'tickets.export',
  /** Create, change and delete shared views. */
  'views.manage',
  /** Create, change and delete custom ticket fields (`/api/v2/ticket_fields`). */
  'ticket_fields.manage',
  /** Create, change and delete shared macros. */
  'macros.manage',
  /**
   * The Requests API: file requests as oneself, and see and reply to one's own (requested or
   * CC'd) and one's organization's when it shares them; public comments only.
   */
  'requests.own',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/**
 * What an admin may put in a custom role: an explicit allow-list, so that a permission added
 * later is admin-only until someone decides otherwise. Never on it: what changes who may do or
 * see what (`users.manage`, `groups.manage` — group membership opens confidential groups —,
 * `groups.break_glass`, `custom_roles.manage`), and the security record (`audit_logs.read`).
 */
export const AGENT_GRANTABLE_PERMISSIONS: readonly Permission[] = [
  'users.me',
  'users.read',
  'users.write',
  'organizations.read',
  'organizations.manage',
  'groups.read',
  'tickets.read',
  'tickets.read_all',
  'tickets.write',
  'tickets.comment_public',
  'tickets.comment_internal',
  'tickets.delete',
  'views.manage',
  'macros.manage',
  'requests.own',
];

/** What each role may do; admins may do everything listed in PERMISSIONS. */
const GRANTS: Readonly<Record<UserRole, 'every permission' | readonly Permission[]>> = {
  admin: 'every permission',
  agent: [
    'users.me',
    'users.read',
    'users.write',
    'organizations.read',
    'groups.read',
    // The tickets of their groups (and assigned to them): Steward's desks are departments.
    'tickets.read',
    'tickets.write',
    'tickets.comment_public',
    'tickets.comment_internal',
    'requests.own',
  ],
  // Zendesk's light agent: reads the tickets of their groups and adds internal notes, no more.
  'light-agent': [
    'users.me',
    'users.read',
    'organizations.read',
    'groups.read',
    'tickets.read',
    'tickets.comment_internal',
    'requests.own',
  ],
  'end-user': ['users.me', 'requests.own'],
};

export function isPermission(name: string): name is Permission {
  return (PERMISSIONS as readonly string[]).includes(name);
}

export function isAgentGrantable(name: string): name is Permission {
  return (AGENT_GRANTABLE_PERMISSIONS as readonly string[]).includes(name);
}

/**
 * Whom the policy judges: the user's role and state, and for an agent with a custom role that
 * role, loaded with the user (`UserEntity.customRole` is eager, so the token and session
 * lookups bring it in the same query).
 */
export type PolicySubject = Pick<UserEntity, 'role' | 'active' | 'erasedAt'> & {
  readonly customRoleId?: number | null;
  readonly customRole?: Pick<CustomRoleEntity, 'id' | 'permissions'> | null;
};

/** The one place that answers "may this user do that": deny unless the table grants it. */
@Injectable()
export class PolicyService {
  can(user: PolicySubject, permission: string): boolean {
    if (!isActiveUser(user) || !isPermission(permission)) return false;
    if (!Object.hasOwn(GRANTS, user.role)) return false;
    if (user.customRoleId !== undefined && user.customRoleId !== null) {
      return user.role === 'agent' && this.customRoleGrants(user, permission);
    }
    const granted = GRANTS[user.role];
    return granted === 'every permission' || granted.includes(permission);
  }

  /** May the actor change this user: whoever manages users anyone, agents only end-users. */
  canEditUser(actor: PolicySubject, target: Pick<UserEntity, 'role'>): boolean {
    if (this.can(actor, 'users.manage')) return true;
    return this.can(actor, 'users.write') && target.role === 'end-user';
  }

  /**
   * A custom role grants what it lists, and only what an agent may be granted (a row changed
   * behind the service's back cannot make an agent an admin). A role that was not loaded with
   * the user grants nothing.
   */
  private customRoleGrants(user: PolicySubject, permission: Permission): boolean {
    const role = user.customRole;
    if (!role || role.id !== user.customRoleId) return false;
    return isAgentGrantable(permission) && role.permissions.includes(permission);
  }
}
