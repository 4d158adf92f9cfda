import type { BreakGlassGrant, BreakGlassGrantPage, BreakGlassGrantQuery } from '@steward/identity';
import { zendeskTime } from '../users/user.dto';
import {
  invalidField,
  isObject,
  own,
  pageLinks,
  type PageLinks,
  type PageRequest,
} from '../http/request-body';

/** A break-glass grant in Steward's API: Zendesk conventions (snake_case, `url`, times). */
export interface ZendeskBreakGlassGrant {
  url: string;
  id: number;
  user_id: number;
  group_id: number;
  reason: string;
  active: boolean;
  created_at: string;
  expires_at: string;
  ended_at: string | null;
}

export interface BreakGlassGrantResponseDto {
  break_glass_grant: ZendeskBreakGlassGrant;
}

export interface BreakGlassGrantListDto extends PageLinks {
  break_glass_grants: ZendeskBreakGlassGrant[];
}

export function toZendeskBreakGlassGrant(
  grant: BreakGlassGrant,
  publicUrl: string,
): ZendeskBreakGlassGrant {
  return {
    url: `${publicUrl}/api/v2/break_glass_grants/${grant.id}.json`,
    id: grant.id,
    user_id: grant.userId,
    group_id: grant.groupId,
    reason: grant.reason,
    active: grant.active,
    created_at: zendeskTime(grant.createdAt),
    expires_at: zendeskTime(grant.expiresAt),
    ended_at: grant.endedAt === null ? null : zendeskTime(grant.endedAt),
  };
}

/** `{"reason": "..."}`: the reason itself is checked by the service. */
export function breakGlassReason(body: unknown): string {
  const reason = isObject(body) ? own(body, 'reason') : undefined;
  if (reason === undefined || reason === null) {
    throw invalidField('reason', 'is required: send {"reason": "why you need access"}');
  }
  if (typeof reason !== 'string') throw invalidField('reason', 'must be a string');
  return reason;
}

/** `?group_id=3&active=true`: one group's grants, only the active ones. */
export function breakGlassGrantQuery(query: unknown): BreakGlassGrantQuery {
  const groupId = isObject(query) ? own(query, 'group_id') : undefined;
  const active = isObject(query) ? own(query, 'active') : undefined;
  if (groupId !== undefined && (typeof groupId !== 'string' || !/^[1-9]\d{0,14}$/.test(groupId))) {
    throw invalidField('group_id', 'must be the id of a group');
  }
  if (active !== undefined && active !== 'true' && active !== 'false') {
    throw invalidField('active', 'must be true or false');
  }
  return {
    groupId: groupId === undefined ? undefined : Number(groupId),
    activeOnly: active === 'true',
  };
}

export function toBreakGlassGrantList(
  { grants, count }: BreakGlassGrantPage,
  request: PageRequest,
  query: BreakGlassGrantQuery,
  publicUrl: string,
): BreakGlassGrantListDto {
  const extra =
    (query.groupId === undefined ? '' : `&group_id=${query.groupId}`) +
    (query.activeOnly === true ? '&active=true' : '');
  return {
    break_glass_grants: grants.map((grant) => toZendeskBreakGlassGrant(grant, publicUrl)),
    ...pageLinks(`${publicUrl}/api/v2/break_glass_grants.json`, request, count, extra),
  };
}
