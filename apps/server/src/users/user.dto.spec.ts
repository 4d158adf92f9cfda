import type { UserEntity } from '@steward/identity';
import { toZendeskUser, zendeskTime } from './user.dto';

const base = {
  id: 42,
  email: 'ann@example.com',
  name: 'Ann Example',
  role: 'admin',
  passwordHash: '$2b$10$hash',
  phone: null,
  locale: 'en-US',
  timeZone: 'UTC',
  customRoleId: null,
  passwordMustChange: false,
  active: true,
  erasedAt: null,
  createdAt: new Date('2026-11-21T08:00:00.123Z'),
  updatedAt: new Date('2026-11-21T09:30:15.999Z'),
} as UserEntity;

describe('toZendeskUser', () => {
  it('writes time stamps as Zendesk does: UTC, to the second', () => {
    expect(zendeskTime(new Date('2026-11-21T08:00:00.123Z'))).toBe('2026-11-21T08:00:00Z');
  });

  it('maps a user to the Zendesk user object, with defaults for what Steward lacks', () => {
    expect(toZendeskUser(base, 'https://help.example.com', null)).toEqual({
      id: 42,
      url: 'https://help.example.com/api/v2/users/42.json',
      name: 'Ann Example',
      email: 'ann@example.com',
      created_at: '2026-11-21T08:00:00Z',
      updated_at: '2026-11-21T09:30:15Z',
      time_zone: 'UTC',
      iana_time_zone: 'UTC',
      phone: null,
      photo: null,
      locale: 'en-US',
      locale_id: 1,
      organization_id: null,
      role: 'admin',
      role_type: 4,
      custom_role_id: null,
      default_group_id: null,
      verified: true,
      external_id: null,
      tags: [],
      alias: null,
      active: true,
      shared: false,
      shared_agent: false,
      last_login_at: null,
      two_factor_auth_enabled: false,
      signature: null,
      details: null,
      notes: null,
      moderator: false,
      ticket_restriction: null,
      only_private_comments: false,
      restricted_agent: false,
      suspended: false,
      user_fields: {},
    });
  });

  it('restricts an end user to the tickets they requested, as Zendesk does', () => {
    expect(toZendeskUser({ ...base, role: 'end-user' }, 'http://x', null)).toMatchObject({
      role: 'end-user',
      ticket_restriction: 'requested',
      restricted_agent: true,
    });
  });

  it('never carries the password hash', () => {
    expect(JSON.stringify(toZendeskUser(base, 'http://x', null))).not.toContain('$2b$');
  });

  it.each([
    ['an admin', { role: 'admin' }, 'admin', 4, null],
    ['an agent', { role: 'agent' }, 'agent', null, null],
    ['a light agent', { role: 'light-agent' }, 'agent', 1, null],
    ['a custom-role agent', { role: 'agent', customRoleId: 7 }, 'agent', 0, 7],
    ['an end user', { role: 'end-user' }, 'end-user', null, null],
  ] as const)(
    'writes %s as Zendesk does: role, role_type, custom_role_id',
    (_who, fields, role, roleType, customRoleId) => {
      expect(toZendeskUser({ ...base, ...fields }, 'http://x', null)).toMatchObject({
        role,
        role_type: roleType,
        custom_role_id: customRoleId,
      });
    },
  );

  it('carries the profile fields and the default group', () => {
    const user = { ...base, phone: '+41 44 123 45 67', locale: 'de-CH', timeZone: 'Europe/Zurich' };
    expect(toZendeskUser(user, 'http://x', 12)).toMatchObject({
      phone: '+41 44 123 45 67',
      locale: 'de-CH',
      locale_id: null,
      time_zone: 'Europe/Zurich',
      iana_time_zone: 'Europe/Zurich',
      default_group_id: 12,
    });
  });
});
