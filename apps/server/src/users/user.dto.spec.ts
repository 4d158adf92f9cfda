import type { UserEntity } from '@steward/identity';
import { toZendeskUser, zendeskTime } from './user.dto';

const base = {
  id: 42,
  email: 'ann@example.com',
  name: 'Ann Example',
  role: 'admin',
  passwordHash: '$2b$10$hash',
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
    expect(toZendeskUser(base, 'https://help.example.com')).toEqual({
      id: 42,
      url: 'https://help.example.com/api/v2/users/42.json',
      name: 'Ann Example',
      email: 'ann@example.com',
      created_at: '2026-11-21T08:00:00Z',
      updated_at: '2026-11-21T09:30:15Z',
      time_zone: 'UTC',
      iana_time_zone: 'Etc/UTC',
      phone: null,
      photo: null,
      locale: 'en-US',
      locale_id: 1,
      organization_id: null,
      role: 'admin',
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
    expect(toZendeskUser({ ...base, role: 'end-user' }, 'http://x')).toMatchObject({
      role: 'end-user',
      ticket_restriction: 'requested',
      restricted_agent: true,
    });
  });

  it('never carries the password hash', () => {
    expect(JSON.stringify(toZendeskUser(base, 'http://x'))).not.toContain('$2b$');
  });
});
