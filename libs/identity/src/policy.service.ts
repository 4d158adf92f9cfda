import { Injectable } from '@nestjs/common';
import type { UserEntity, UserRole } from './user.entity';
import { isActiveUser } from './user.service';

/** Every permission a route or a service may ask for. A name not listed here is never granted. */
export const PERMISSIONS = [
  /** Read one's own profile (`GET /api/v2/users/me.json`). */
  'users.me',
  /** Read other users' profiles. */
  'users.read',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** What each role may do; admins may do everything listed in PERMISSIONS. */
const GRANTS: Readonly<Record<UserRole, 'every permission' | readonly Permission[]>> = {
  admin: 'every permission',
  agent: ['users.me', 'users.read'],
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
}
