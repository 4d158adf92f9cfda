import { AuditLog } from '@steward/audit';
import { ANONYMOUS, type Body, type Caller, useApiHarness } from './testing/api-harness';

/** Zendesk's role_type and custom_role_id on users, and the profile fields. */
describe('/api/v2/users: roles, custom roles and profile fields', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let agent: Caller;
  let endUser: Caller;
  let roleId: number;

  function user(res: { body: Body }): Body {
    return res.body.user as Body;
  }

  function details(res: { body: Body }): string[] {
    return Object.keys(res.body.details as Body);
  }

  beforeEach(async () => {
    await api.reset();
    admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    endUser = await caller('eve@example.com', 'end-user');
    const role = await call(admin, 'POST', '/api/v2/custom_roles.json', {
      custom_role: { name: 'Triage', permissions: ['users.me', 'users.read'] },
    });
    roleId = Number((role.body.custom_role as Body).id);
  });

  async function create(fields: Body, by: Caller = admin) {
    return call(by, 'POST', '/api/v2/users.json', {
      user: { email: 'new@example.com', ...fields },
    });
  }

  describe('role_type and custom_role_id', () => {
    it.each([
      ['an admin', { role: 'admin' }, { role: 'admin', role_type: 4, custom_role_id: null }],
      ['an agent', { role: 'agent' }, { role: 'agent', role_type: null, custom_role_id: null }],
      ['an end user', {}, { role: 'end-user', role_type: null, custom_role_id: null }],
      ['a light agent', { role: 'agent', role_type: 1 }, { role: 'agent', role_type: 1 }],
      ['a light agent by role_type alone', { role_type: 1 }, { role: 'agent', role_type: 1 }],
      ['an admin by role_type alone', { role_type: 4 }, { role: 'admin', role_type: 4 }],
    ])('lets an admin create %s', async (_who, fields, expected) => {
      const res = await create(fields);
      expect(res.status).toBe(201);
      expect(user(res)).toMatchObject(expected);
    });

    it('creates a custom-role agent from custom_role_id, with or without role_type 0', async () => {
      const one = await create({ role: 'agent', role_type: 0, custom_role_id: roleId });
      expect(user(one)).toMatchObject({ role: 'agent', role_type: 0, custom_role_id: roleId });
      const two = await call(admin, 'POST', '/api/v2/users.json', {
        user: { email: 'two@example.com', custom_role_id: String(roleId) },
      });
      expect(user(two)).toMatchObject({ role: 'agent', role_type: 0, custom_role_id: roleId });
      const audit = await api.app.get(AuditLog).query({ action: 'user.created' });
      expect(audit.entries[0]).toMatchObject({ details: { role: 'agent', customRoleId: roleId } });
    });

    it.each([
      ['a chat agent role_type', { role: 'agent', role_type: 2 }, 'role_type'],
      ['a role_type that is a string', { role: 'agent', role_type: '1' }, 'role_type'],
      ['an end user with a role_type', { role: 'end-user', role_type: 1 }, 'role_type'],
      ['an agent with role_type 4', { role: 'agent', role_type: 4 }, 'role_type'],
      ['an admin with a custom role', { role: 'admin', custom_role_id: 1 }, 'custom_role_id'],
      ['role_type 0 without a custom role', { role: 'agent', role_type: 0 }, 'custom_role_id'],
      ['a light agent with a custom role', { role_type: 1, custom_role_id: 1 }, 'custom_role_id'],
      ['an unknown custom role', { custom_role_id: 999999 }, 'custom_role_id'],
      ['a custom_role_id that is no id', { custom_role_id: 'x' }, 'custom_role_id'],
    ])('answers %s with 422 naming the field', async (_case, fields, field) => {
      const res = await create(fields);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ error: 'RecordInvalid' });
      expect(details(res)).toEqual([field]);
    });

    it('does not let an agent create or make staff of any kind', async () => {
      expect((await create({ role_type: 1 }, agent)).status).toBe(403);
      expect((await create({ custom_role_id: roleId }, agent)).status).toBe(403);
      const res = await call(agent, 'PUT', `/api/v2/users/${endUser.id}.json`, {
        user: { role_type: 1 },
      });
      expect(res.status).toBe(403);
    });

    it('changes an agent into a light agent and then a custom-role agent, auditing each', async () => {
      const id = Number(user(await create({ role: 'agent' })).id);
      const light = await call(admin, 'PUT', `/api/v2/users/${id}.json`, {
        user: { role_type: 1 },
      });
      expect(user(light)).toMatchObject({ role: 'agent', role_type: 1 });
      const custom = await call(admin, 'PUT', `/api/v2/users/${id}.json`, {
        user: { custom_role_id: roleId },
      });
      expect(user(custom)).toMatchObject({ role: 'agent', role_type: 0, custom_role_id: roleId });
      const plain = await call(admin, 'PUT', `/api/v2/users/${id}.json`, {
        user: { role_type: null, custom_role_id: null },
      });
      expect(user(plain)).toMatchObject({ role: 'agent', role_type: null, custom_role_id: null });
      const audit = await api.app.get(AuditLog).query({ action: 'role.changed' });
      expect(audit.entries.map((e) => e.details).reverse()).toEqual([
        { from: 'agent', to: 'light-agent' },
        { from: 'light-agent', to: 'agent', fromCustomRoleId: null, toCustomRoleId: roleId },
        { from: 'agent', to: 'agent', fromCustomRoleId: roleId, toCustomRoleId: null },
      ]);
    });

    it('takes an agent made an end-user out of every group, and says so in the audit log', async () => {
      const group = await call(admin, 'POST', '/api/v2/groups.json', { group: { name: 'HR' } });
      await call(admin, 'POST', '/api/v2/group_memberships.json', {
        group_membership: { user_id: agent.id, group_id: (group.body.group as Body).id },
      });
      const res = await call(admin, 'PUT', `/api/v2/users/${agent.id}`, {
        user: { role: 'end-user' },
      });
      expect(user(res)).toMatchObject({ role: 'end-user', default_group_id: null });
      const memberships = await call(admin, 'GET', `/api/v2/users/${agent.id}/group_memberships`);
      expect(memberships.body).toMatchObject({ group_memberships: [], count: 0 });
      const audit = await api.app.get(AuditLog).query({ action: 'role.changed' });
      expect(audit.entries[0]).toMatchObject({
        details: { from: 'agent', to: 'end-user', groupMembershipsRemoved: 1 },
      });
    });

    it('takes back a user as it was read without changing its role', async () => {
      for (const fields of [{ role_type: 1 }, { custom_role_id: roleId }, { role: 'admin' }]) {
        const created = user(
          await create({ ...fields, email: `${Object.keys(fields)[0]}@x.example` }),
        );
        const res = await call(admin, 'PUT', `/api/v2/users/${String(created.id)}.json`, {
          user: { ...created, name: 'Renamed' },
        });
        expect(res.status).toBe(200);
        expect(user(res)).toMatchObject({
          name: 'Renamed',
          role: created.role,
          role_type: created.role_type,
          custom_role_id: created.custom_role_id,
        });
      }
      const audit = await api.app.get(AuditLog).query({ action: 'role.changed' });
      expect(audit.entries).toEqual([]);
    });

    it('keeps a light agent a light agent when only role agent is sent', async () => {
      const id = Number(user(await create({ role_type: 1 })).id);
      const res = await call(admin, 'PUT', `/api/v2/users/${id}`, { user: { role: 'agent' } });
      expect(user(res)).toMatchObject({ role: 'agent', role_type: 1 });
    });

    it('lists light agents and custom-role agents under role=agent', async () => {
      await create({ role_type: 1 });
      await call(admin, 'POST', '/api/v2/users.json', {
        user: { email: 'custom@example.com', custom_role_id: roleId },
      });
      const res = await call(admin, 'GET', '/api/v2/users.json?role=agent');
      expect((res.body.users as Body[]).map((u) => u.email)).toEqual([
        'agent@example.com',
        'new@example.com',
        'custom@example.com',
      ]);
    });

    it('refuses a light agent every change, and lets it read', async () => {
      const light = await caller('light@example.com', 'light-agent');
      expect((await call(light, 'GET', '/api/v2/users.json')).status).toBe(200);
      expect((await call(light, 'GET', '/api/v2/users/me.json')).body).toMatchObject({
        user: { role: 'agent', role_type: 1 },
      });
      expect((await create({}, light)).status).toBe(403);
      const res = await call(light, 'PUT', `/api/v2/users/${endUser.id}`, { user: { name: 'X' } });
      expect(res.status).toBe(403);
    });
  });

  describe('profile fields', () => {
    it('defaults locale to en-US and time_zone to UTC, phone to null', async () => {
      expect(user(await create({}))).toMatchObject({
        locale: 'en-US',
        locale_id: 1,
        time_zone: 'UTC',
        iana_time_zone: 'UTC',
        phone: null,
      });
    });

    it('stores phone, locale and time zone, canonicalised, and changes them', async () => {
      const res = await create({
        phone: ' +41 (44) 123-45-67 ',
        locale: 'de-ch',
        time_zone: 'europe/zurich',
      });
      expect(res.status).toBe(201);
      expect(user(res)).toMatchObject({
        phone: '+41 (44) 123-45-67',
        locale: 'de-CH',
        locale_id: null,
        time_zone: 'Europe/Zurich',
      });
      const id = String(user(res).id);
      const updated = await call(agent, 'PUT', `/api/v2/users/${id}.json`, {
        user: { phone: null, time_zone: 'US/Eastern' },
      });
      expect(user(updated)).toMatchObject({
        phone: null,
        time_zone: 'America/New_York',
        locale: 'de-CH',
      });
      const audit = await api.app.get(AuditLog).query({ action: 'user.updated' });
      expect(audit.entries[0]).toMatchObject({ details: { fields: ['phone', 'time_zone'] } });
    });

    it.each([
      ['a phone with letters', { phone: 'call me' }, 'phone'],
      ['a phone of 51 characters', { phone: '1'.repeat(51) }, 'phone'],
      ['a phone that is a number', { phone: 41441234567 }, 'phone'],
      ['a locale that is no language tag', { locale: 'en_US' }, 'locale'],
      ['a blank locale', { locale: '' }, 'locale'],
      ['a null locale', { locale: null }, 'locale'],
      ['an unknown time zone', { time_zone: 'Mars/Olympus' }, 'time_zone'],
      ['an offset for a time zone', { time_zone: '+01:00' }, 'time_zone'],
      ['an overlong time zone', { time_zone: 'A'.repeat(65) }, 'time_zone'],
    ])('answers %s with 422 naming the field', async (_case, fields, field) => {
      const res = await create(fields);
      expect(res.status).toBe(422);
      expect(details(res)).toEqual([field]);
    });

    it('shows the default group as default_group_id, read-only', async () => {
      const group = await call(admin, 'POST', '/api/v2/groups.json', { group: { name: 'IT' } });
      const groupId = Number((group.body.group as Body).id);
      expect(user(await call(agent, 'GET', '/api/v2/users/me.json')).default_group_id).toBeNull();
      await call(admin, 'POST', '/api/v2/group_memberships.json', {
        group_membership: { user_id: agent.id, group_id: groupId },
      });
      expect(user(await call(agent, 'GET', '/api/v2/users/me.json')).default_group_id).toBe(
        groupId,
      );
      expect(user(await call(admin, 'GET', `/api/v2/users/${agent.id}`)).default_group_id).toBe(
        groupId,
      );
      const list = await call(admin, 'GET', '/api/v2/users.json?role=agent');
      expect((list.body.users as Body[]).map((u) => u.default_group_id)).toEqual([groupId]);
      const ignored = await call(admin, 'PUT', `/api/v2/users/${agent.id}`, {
        user: { default_group_id: 12345 },
      });
      expect(user(ignored).default_group_id).toBe(groupId);
    });

    it('lets nobody anonymous set a profile', async () => {
      const res = await call(ANONYMOUS, 'PUT', `/api/v2/users/${endUser.id}`, {
        user: { phone: '1' },
      });
      expect(res.status).toBe(401);
    });
  });
});
