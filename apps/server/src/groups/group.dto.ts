import type {
  GroupEntity,
  GroupInput,
  GroupMembershipEntity,
  GroupMembershipInput,
  GroupMembershipPage,
  GroupPage,
} from '@steward/identity';
import { zendeskTime } from '../users/user.dto';
import {
  envelope,
  flag,
  pageLinks,
  recordIdField,
  requiredText,
  text,
  type PageLinks,
  type PageRequest,
} from '../http/request-body';

/** A group in the Zendesk Support API v2 shape, with Steward's `confidential`. */
export interface ZendeskGroup {
  url: string;
  id: number;
  name: string;
  description: string;
  default: boolean;
  is_public: boolean;
  confidential: boolean;
  deleted: boolean;
  created_at: string;
  updated_at: string;
}

export interface ZendeskGroupMembership {
  url: string;
  id: number;
  user_id: number;
  group_id: number;
  default: boolean;
  created_at: string;
  updated_at: string;
}

export interface GroupResponseDto {
  group: ZendeskGroup;
}

export interface GroupListDto extends PageLinks {
  groups: ZendeskGroup[];
}

export interface GroupMembershipResponseDto {
  group_membership: ZendeskGroupMembership;
}

export interface GroupMembershipListDto extends PageLinks {
  group_memberships: ZendeskGroupMembership[];
}

export function toZendeskGroup(group: GroupEntity, publicUrl: string): ZendeskGroup {
  return {
    url: `${publicUrl}/api/v2/groups/${group.id}.json`,
    id: group.id,
    name: group.name,
    description: group.description ?? '',
    default: group.isDefault,
    is_public: group.isPublic,
    confidential: group.confidential,
    deleted: group.deletedAt !== null,
    created_at: zendeskTime(group.createdAt),
    updated_at: zendeskTime(group.updatedAt),
  };
}

export function toZendeskGroupMembership(
  membership: GroupMembershipEntity,
  publicUrl: string,
): ZendeskGroupMembership {
  return {
    url: `${publicUrl}/api/v2/group_memberships/${membership.id}.json`,
    id: membership.id,
    user_id: membership.userId,
    group_id: membership.groupId,
    default: membership.isDefault,
    created_at: zendeskTime(membership.createdAt),
    updated_at: zendeskTime(membership.updatedAt),
  };
}

/** `{"group": {...}}` → what the service takes; unknown fields are ignored, as Zendesk does. */
export function groupInput(body: unknown): GroupInput {
  const group = envelope(body, 'group');
  return {
    name: requiredText(group, 'name'),
    description: text(group, 'description'),
    isDefault: flag(group, 'default'),
    isPublic: flag(group, 'is_public'),
    confidential: flag(group, 'confidential'),
  };
}

export function groupMembershipInput(body: unknown): GroupMembershipInput {
  const membership = envelope(body, 'group_membership');
  return {
    userId: recordIdField(membership, 'user_id'),
    groupId: recordIdField(membership, 'group_id'),
    isDefault: flag(membership, 'default'),
  };
}

export function toGroupList(
  { groups, count }: GroupPage,
  request: PageRequest,
  publicUrl: string,
): GroupListDto {
  return {
    groups: groups.map((group) => toZendeskGroup(group, publicUrl)),
    ...pageLinks(`${publicUrl}/api/v2/groups.json`, request, count),
  };
}

/** A page of memberships; `path` is the list's own path, e.g. `/api/v2/groups/3/memberships`. */
export function toGroupMembershipList(
  { memberships, count }: GroupMembershipPage,
  request: PageRequest,
  publicUrl: string,
  path: string,
): GroupMembershipListDto {
  return {
    group_memberships: memberships.map((m) => toZendeskGroupMembership(m, publicUrl)),
    ...pageLinks(`${publicUrl}${path}.json`, request, count),
  };
}
