import { isActiveUser, type UserEntity, type UserRole } from '@steward/identity';

/** A user in the Zendesk Support API v2 shape (`GET /api/v2/users/{id}.json`). */
export interface ZendeskUser {
  id: number;
  url: string;
  name: string;
  email: string | null;
  created_at: string;
  updated_at: string;
  time_zone: string;
  iana_time_zone: string;
  phone: string | null;
  photo: null;
  locale: string;
  locale_id: number;
  organization_id: number | null;
  role: UserRole;
  verified: boolean;
  external_id: string | null;
  tags: string[];
  alias: string | null;
  active: boolean;
  shared: boolean;
  shared_agent: boolean;
  last_login_at: string | null;
  two_factor_auth_enabled: boolean;
  signature: string | null;
  details: string | null;
  notes: string | null;
  moderator: boolean;
  ticket_restriction: 'requested' | null;
  only_private_comments: boolean;
  restricted_agent: boolean;
  suspended: boolean;
  user_fields: Record<string, unknown>;
}

export interface UserResponseDto {
  user: ZendeskUser;
}

/** ISO 8601 in UTC to the second, as Zendesk writes time stamps: `2026-11-21T08:00:00Z`. */
export function zendeskTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * What Steward knows about a user, in Zendesk's field names; fields of features Steward does
 * not have yet (organizations, photos, 2FA, sign-in history) carry Zendesk's empty defaults.
 */
export function toZendeskUser(user: Readonly<UserEntity>, publicUrl: string): ZendeskUser {
  const endUser = user.role === 'end-user';
  return {
    id: user.id,
    url: `${publicUrl}/api/v2/users/${user.id}.json`,
    name: user.name,
    email: user.email,
    created_at: zendeskTime(user.createdAt),
    updated_at: zendeskTime(user.updatedAt),
    time_zone: 'UTC',
    iana_time_zone: 'Etc/UTC',
    phone: null,
    photo: null,
    locale: 'en-US',
    locale_id: 1,
    organization_id: user.organizationId ?? null,
    role: user.role,
    // Every Steward account is created by an administrator for a known address.
    verified: true,
    external_id: null,
    tags: [],
    alias: null,
    active: isActiveUser(user),
    shared: false,
    shared_agent: false,
    last_login_at: null,
    two_factor_auth_enabled: false,
    signature: null,
    details: null,
    notes: null,
    moderator: false,
    // Zendesk's defaults: end users see the tickets they requested; staff are unrestricted.
    ticket_restriction: endUser ? 'requested' : null,
    only_private_comments: false,
    restricted_agent: endUser,
    suspended: false,
    user_fields: {},
  };
}
