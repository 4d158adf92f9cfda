import {
  DEFAULT_LOCALE,
  isActiveUser,
  RECORD_INVALID,
  roleTypeOf,
  wireRole,
  type UserEntity,
  type UserIdentityEntity,
  type UserInput,
  type UserPage,
  type UserIdentityInput,
  type WireRole,
} from '@steward/identity';
import { ErrorCode, StewardError } from '@steward/platform';
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
  locale_id: number | null;
  organization_id: number | null;
  role: WireRole;
  /** null (agent, end-user), 0 (custom role), 1 (light agent), 4 (admin). */
  role_type: number | null;
  custom_role_id: number | null;
  /** Read-only: the group of the membership marked default. */
  default_group_id: number | null;
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
 * not have yet (photos, 2FA, sign-in history) carry Zendesk's empty defaults.
 */
export function toZendeskUser(
  user: Readonly<UserEntity>,
  publicUrl: string,
  defaultGroupId: number | null,
): ZendeskUser {
  const endUser = user.role === 'end-user';
  return {
    id: user.id,
    url: `${publicUrl}/api/v2/users/${user.id}.json`,
    name: user.name,
    email: user.email,
    created_at: zendeskTime(user.createdAt),
    updated_at: zendeskTime(user.updatedAt),
    // Steward stores IANA names; Zendesk's `time_zone` may be a Rails name, IANA is valid too.
    time_zone: user.timeZone,
    iana_time_zone: user.timeZone,
    phone: user.phone,
    photo: null,
    locale: user.locale,
    // Zendesk's id of en-US; Steward has no table of the others.
    locale_id: user.locale === DEFAULT_LOCALE ? 1 : null,
    organization_id: user.organizationId ?? null,
    role: wireRole(user.role),
    role_type: roleTypeOf(user),
    custom_role_id: user.role === 'agent' ? (user.customRoleId ?? null) : null,
    default_group_id: defaultGroupId,
    // Every Steward account is created by an administrator for a known address.
    verified: true,
    external_id: user.externalId ?? null,
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

export interface UserListDto extends PageLinks {
  users: ZendeskUser[];
}

export function toUserList(
  { users, count }: UserPage,
  defaultGroupIds: ReadonlyMap<number, number>,
  request: PageRequest,
  publicUrl: string,
  path = '/api/v2/users.json',
  extra = '',
): UserListDto {
  return {
    users: users.map((user) =>
      toZendeskUser(user, publicUrl, defaultGroupIds.get(user.id) ?? null),
    ),
    ...pageLinks(`${publicUrl}${path}`, request, count, extra),
  };
}

/**
 * `{"user": {name, email, role, role_type, custom_role_id, external_id, phone, locale,
 * time_zone}}`; other Zendesk fields (`default_group_id`, which follows the memberships, among
 * them) are accepted and ignored.
 */
export function userInput(body: unknown): UserInput {
  const user = envelope(body, 'user');
  const externalId = Object.hasOwn(user, 'external_id') ? user.external_id : undefined;
  return {
    name: requiredText(user, 'name'),
    email: requiredText(user, 'email'),
    role: requiredText(user, 'role'),
    roleType: nullableInteger(user, 'role_type'),
    customRoleId: Object.hasOwn(user, 'custom_role_id')
      ? user.custom_role_id === null
        ? null
        : recordIdField(user, 'custom_role_id')
      : undefined,
    // Zendesk clients send external ids as strings or numbers.
    externalId:
      typeof externalId === 'number' && Number.isSafeInteger(externalId)
        ? String(externalId)
        : text(user, 'external_id'),
    phone: text(user, 'phone'),
    locale: requiredText(user, 'locale'),
    timeZone: requiredText(user, 'time_zone'),
  };
}

/** A small whole number or null (Zendesk's `role_type`); undefined when absent. */
function nullableInteger(
  object: Readonly<Record<string, unknown>>,
  field: string,
): number | null | undefined {
  if (!Object.hasOwn(object, field)) return undefined;
  const value = object[field];
  if (value === null || (typeof value === 'number' && Number.isSafeInteger(value))) return value;
  throw new StewardError(ErrorCode.Invalid, RECORD_INVALID, {
    [field]: ['must be a whole number or null'],
  });
}

/** A user identity in the Zendesk Support API v2 shape. */
export interface ZendeskUserIdentity {
  url: string;
  id: number;
  user_id: number;
  type: string;
  value: string;
  verified: boolean;
  primary: boolean;
  created_at: string;
  updated_at: string;
  undeliverable_count: number;
  deliverable_state: 'deliverable';
}

export function toZendeskIdentity(
  identity: Readonly<UserIdentityEntity>,
  publicUrl: string,
): ZendeskUserIdentity {
  return {
    url: `${publicUrl}/api/v2/users/${identity.userId}/identities/${identity.id}.json`,
    id: identity.id,
    user_id: identity.userId,
    type: identity.type,
    value: identity.value,
    verified: identity.verified,
    primary: identity.primary,
    created_at: zendeskTime(identity.createdAt),
    updated_at: zendeskTime(identity.updatedAt),
    undeliverable_count: 0,
    deliverable_state: 'deliverable',
  };
}

export interface UserIdentityResponseDto {
  identity: ZendeskUserIdentity;
}

export interface UserIdentityListDto {
  identities: ZendeskUserIdentity[];
  next_page: null;
  previous_page: null;
  count: number;
}

export function toIdentityList(
  identities: readonly UserIdentityEntity[],
  publicUrl: string,
): UserIdentityListDto {
  return {
    identities: identities.map((identity) => toZendeskIdentity(identity, publicUrl)),
    next_page: null,
    previous_page: null,
    count: identities.length,
  };
}

/** `{"identity": {type, value, verified, primary}}`. */
export function identityInput(body: unknown): UserIdentityInput {
  const identity = envelope(body, 'identity');
  return {
    type: requiredText(identity, 'type'),
    value: requiredText(identity, 'value'),
    verified: flag(identity, 'verified'),
    primary: flag(identity, 'primary'),
  };
}

/** The `role` filter of a user list, and the `query` of a search: one string or none. */
export function queryText(query: unknown, field: string): string | undefined {
  if (typeof query !== 'object' || query === null || !Object.hasOwn(query, field)) return undefined;
  const value: unknown = (query as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}
