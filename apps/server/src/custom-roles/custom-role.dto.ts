import {
  RECORD_INVALID,
  type CustomRoleInput,
  type CustomRoleWithHolders,
  type Permission,
} from '@steward/identity';
import { ErrorCode, StewardError } from '@steward/platform';
import { envelope, requiredText, text, textList } from '../http/request-body';
import { zendeskTime } from '../users/user.dto';

/**
 * A custom role in the Zendesk Support API v2 shape (`role_type` 0). Zendesk describes what a
 * role allows in `configuration`; Steward lists its permissions in `permissions` instead.
 */
export interface ZendeskCustomRole {
  id: number;
  url: string;
  name: string;
  description: string | null;
  role_type: 0;
  permissions: Permission[];
  /** How many users hold the role. */
  team_member_count: number;
  created_at: string;
  updated_at: string;
}

export interface CustomRoleResponseDto {
  custom_role: ZendeskCustomRole;
}

/** Zendesk lists custom roles without pages. */
export interface CustomRoleListDto {
  custom_roles: ZendeskCustomRole[];
  next_page: null;
  previous_page: null;
  count: number;
}

export function toZendeskCustomRole(
  { role, holders }: CustomRoleWithHolders,
  publicUrl: string,
): ZendeskCustomRole {
  return {
    id: role.id,
    url: `${publicUrl}/api/v2/custom_roles/${role.id}.json`,
    name: role.name,
    description: role.description,
    role_type: 0,
    permissions: [...role.permissions],
    team_member_count: holders,
    created_at: zendeskTime(role.createdAt),
    updated_at: zendeskTime(role.updatedAt),
  };
}

export function toCustomRoleList(
  roles: readonly CustomRoleWithHolders[],
  publicUrl: string,
): CustomRoleListDto {
  return {
    custom_roles: roles.map((role) => toZendeskCustomRole(role, publicUrl)),
    next_page: null,
    previous_page: null,
    count: roles.length,
  };
}

/** At most this many names in `permissions`: more than there are is a mistake. */
const MAX_PERMISSION_NAMES = 100;

/** `{"custom_role": {name, description, permissions: [...]}}`. */
export function customRoleInput(body: unknown): CustomRoleInput {
  const role = envelope(body, 'custom_role');
  const permissions = textList(role, 'permissions');
  if (permissions !== undefined && permissions.length > MAX_PERMISSION_NAMES) {
    throw new StewardError(ErrorCode.Invalid, RECORD_INVALID, {
      permissions: [`must list at most ${MAX_PERMISSION_NAMES} names`],
    });
  }
  return {
    name: requiredText(role, 'name'),
    description: text(role, 'description'),
    permissions,
  };
}
