import { AuditLog } from '@steward/audit';

import { type Caller, useApiHarness } from './testing/api-harness';

const GROUP_FIELDS = [
  'confidential',
  'created_at',
  'default',
  'deleted',
  'description',
  'id',
  'is_public',
  'name',
  'updated_at',
  'url',
];
const MEMBERSHIP_FIELDS = [
  'created_at',
  'default',
  'group_id',
  'id',
  'updated_at',
  'url',
  'user_id',
];

describe('/api/v2/groups and /api/v2/group_memberships', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let agent: Caller;
  let endUser: Caller;

  async function group(name: string, extra: Record<string, unknown> = {}): Promise<number> {
    const res = await call(admin, 'POST', '/api/v2/groups.json', { group: { name, ...extra } });
    expect(res.status).toBe(201);
    return (res.body.group as { id: number }).id;
  }

  async function membership(userId: number, groupId: number): Promise<number> {
    const res = await call(admin, 'POST', '/api/v2/group_memberships.json', {
      group_membership: { user_id: userId, group_id: groupId },
    });
    expect(res.status).toBe(201);
    return (res.body.group_membership as { id: number }).id;
  }

  beforeEach(async () => {
    await api.reset();
    admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    endUser = await caller('eve@example.com', 'end-user');
  });

  describe('groups', () => {
    it('answers concurrent creations of one name with one 201 and otherwise 422, never 500', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          call(admin, 'POST', '/api/v2/groups.json', { group: { name: 'Facilities' } }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 422, 422, 422, 422, 422, 422, 422]);
      for (const r of results.filter((r) => r.status === 422)) {
        expect(r.body).toMatchObject({ error: 'RecordInvalid' });
      }
    });

    it('creates a group as an admin and answers in the Zendesk shape, with and without .json', async () => {
      const res = await call(admin, 'POST', '/api/v2/groups', {
        group: { name: ' IT ', description: 'Laptops and accounts', confidential: true },
      });
      expect(res.status).toBe(201);
      const created = res.body.group as Record<string, unknown>;
      expect(Object.keys(created).sort()).toEqual(GROUP_FIELDS);
      expect(created).toMatchObject({
        name: 'IT',
        description: 'Laptops and accounts',
        default: false,
        is_public: true,
        confidential: true,
        deleted: false,
        url: `${api.config.publicUrl}/api/v2/groups/${String(created.id)}.json`,
      });
      for (const path of [
        `/api/v2/groups/${String(created.id)}.json`,
        `/api/v2/groups/${String(created.id)}`,
      ]) {
        const shown = await call(agent, 'GET', path);
        expect(shown.status).toBe(200);
        expect(shown.body).toEqual({ group: created });
      }
    });

    it('lets an agent read but not write, and an end user neither', async () => {
      const id = await group('HR');
      expect((await call(agent, 'GET', '/api/v2/groups.json')).status).toBe(200);
      expect(
        (await call(agent, 'POST', '/api/v2/groups.json', { group: { name: 'X' } })).status,
      ).toBe(403);
      expect(
        (await call(agent, 'PUT', `/api/v2/groups/${id}.json`, { group: { name: 'X' } })).status,
      ).toBe(403);
      expect((await call(agent, 'DELETE', `/api/v2/groups/${id}.json`)).status).toBe(403);
      expect((await call(endUser, 'GET', '/api/v2/groups.json')).status).toBe(403);
      expect((await call(endUser, 'GET', `/api/v2/groups/${id}.json`)).status).toBe(403);
      const forbidden = await call(endUser, 'POST', '/api/v2/groups.json', {
        group: { name: 'X' },
      });
      expect(forbidden).toEqual({
        status: 403,
        body: { error: 'Forbidden', description: 'You do not have access to this resource' },
      });
    });

    it('pages with page and per_page, linking next and previous pages by full URL', async () => {
      for (const name of ['A', 'B', 'C', 'D', 'E']) await group(name);
      const first = await call(agent, 'GET', '/api/v2/groups.json?per_page=2');
      expect(first.body).toMatchObject({
        count: 5,
        previous_page: null,
        next_page: `${api.config.publicUrl}/api/v2/groups.json?page=2&per_page=2`,
      });
      expect((first.body.groups as { name: string }[]).map((g) => g.name)).toEqual(['A', 'B']);
      const last = await call(agent, 'GET', '/api/v2/groups?page=3&per_page=2');
      expect((last.body.groups as { name: string }[]).map((g) => g.name)).toEqual(['E']);
      expect(last.body).toMatchObject({
        next_page: null,
        previous_page: `${api.config.publicUrl}/api/v2/groups.json?page=2&per_page=2`,
      });
      const capped = await call(agent, 'GET', '/api/v2/groups.json?per_page=1000');
      expect((capped.body.groups as unknown[]).length).toBe(5);
      expect((await call(agent, 'GET', '/api/v2/groups.json?page=0')).status).toBe(422);
      expect((await call(agent, 'GET', '/api/v2/groups.json?per_page=abc')).status).toBe(422);
    });

    it('refuses a duplicate name, whatever its case, with a Zendesk RecordInvalid body', async () => {
      await group('Facilities');
      const res = await call(admin, 'POST', '/api/v2/groups.json', {
        group: { name: 'facilities' },
      });
      expect(res).toEqual({
        status: 422,
        body: {
          error: 'RecordInvalid',
          description: 'Record validation errors',
          details: { name: [{ description: 'has already been taken' }] },
        },
      });
    });

    it.each<[string, unknown]>([
      ['no envelope', { name: 'IT' }],
      ['an envelope that is not an object', { group: 'IT' }],
      ['a name that is not a string', { group: { name: 42 } }],
      ['a blank name', { group: { name: '   ' } }],
      ['a name over 255 characters', { group: { name: 'x'.repeat(256) } }],
      ['a default that is not a boolean', { group: { name: 'IT', default: 'yes' } }],
      ['the name only under __proto__', '{"group": {"__proto__": {"name": "IT"}}}'],
      ['an array body', [{ group: { name: 'IT' } }]],
    ])('answers 422 for %s, never 500', async (_case, body) => {
      const res = await call(admin, 'POST', '/api/v2/groups.json', body);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ error: 'RecordInvalid' });
    });

    it('answers 400 for a body that is not JSON', async () => {
      const res = await call(admin, 'POST', '/api/v2/groups.json', '{"group": ');
      expect(res.status).toBe(400);
    });

    it('keeps at most one default group', async () => {
      const first = await group('IT', { default: true });
      const second = await group('HR', { default: true });
      expect((await call(agent, 'GET', `/api/v2/groups/${first}.json`)).body).toMatchObject({
        group: { default: false },
      });
      const updated = await call(admin, 'PUT', `/api/v2/groups/${first}.json`, {
        group: { default: true },
      });
      expect(updated.body).toMatchObject({ group: { id: first, default: true, name: 'IT' } });
      expect((await call(agent, 'GET', `/api/v2/groups/${second}.json`)).body).toMatchObject({
        group: { default: false },
      });
    });

    it('soft-deletes a group: 204, deleted in show, gone from the list, its memberships removed', async () => {
      const id = await group('IT');
      await membership(agent.id, id);
      const res = await call(admin, 'DELETE', `/api/v2/groups/${id}.json`);
      expect(res.status).toBe(204);
      expect((await call(agent, 'GET', `/api/v2/groups/${id}.json`)).body).toMatchObject({
        group: { deleted: true },
      });
      expect((await call(agent, 'GET', '/api/v2/groups.json')).body).toMatchObject({ count: 0 });
      expect((await call(agent, 'GET', '/api/v2/group_memberships.json')).body).toMatchObject({
        count: 0,
      });
      expect((await call(admin, 'DELETE', `/api/v2/groups/${id}.json`)).status).toBe(404);
      expect(
        (await call(admin, 'PUT', `/api/v2/groups/${id}.json`, { group: { name: 'Y' } })).status,
      ).toBe(404);
    });

    it.each(['999999', 'abc', '1e3', '-1'])(
      'answers 404 RecordNotFound for group id %s',
      async (id) => {
        const res = await call(agent, 'GET', `/api/v2/groups/${id}.json`);
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ error: 'RecordNotFound' });
      },
    );

    it('records group.changed with the acting admin for create, update and delete', async () => {
      const id = await group('IT');
      await call(admin, 'PUT', `/api/v2/groups/${id}.json`, { group: { description: 'help' } });
      await call(admin, 'DELETE', `/api/v2/groups/${id}.json`);
      const { entries } = await api.app
        .get(AuditLog)
        .query({ targetType: 'group', targetId: String(id), action: 'group.changed' });
      expect(entries.map((e) => [e.actorType, e.actorId, e.details?.change])).toEqual([
        ['user', String(admin.id), 'deleted'],
        ['user', String(admin.id), 'updated'],
        ['user', String(admin.id), 'created'],
      ]);
    });
  });

  describe('group memberships', () => {
    it('adds an agent to a group, shows it everywhere it is listed, and audits it', async () => {
      const id = await group('IT');
      const res = await call(admin, 'POST', '/api/v2/group_memberships', {
        group_membership: { user_id: agent.id, group_id: id },
      });
      expect(res.status).toBe(201);
      const created = res.body.group_membership as Record<string, unknown>;
      expect(Object.keys(created).sort()).toEqual(MEMBERSHIP_FIELDS);
      expect(created).toMatchObject({ user_id: agent.id, group_id: id, default: true });
      const mid = created.id as number;
      for (const path of [
        `/api/v2/group_memberships/${mid}.json`,
        `/api/v2/group_memberships/${mid}`,
      ]) {
        expect((await call(agent, 'GET', path)).body).toEqual({ group_membership: created });
      }
      for (const path of [
        '/api/v2/group_memberships.json',
        `/api/v2/users/${agent.id}/group_memberships.json`,
        `/api/v2/users/${agent.id}/group_memberships`,
        `/api/v2/groups/${id}/memberships.json`,
        `/api/v2/groups/${id}/memberships`,
      ]) {
        const list = await call(agent, 'GET', path);
        expect([path, list.status]).toEqual([path, 200]);
        expect(list.body).toEqual({
          group_memberships: [created],
          next_page: null,
          previous_page: null,
          count: 1,
        });
      }
      const { entries } = await api.app.get(AuditLog).query({ action: 'group.membership.added' });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        actorType: 'user',
        actorId: String(admin.id),
        targetType: 'group',
        targetId: String(id),
        details: { membershipId: mid, userId: agent.id },
      });
    });

    it('refuses an end user with 422, and a duplicate membership', async () => {
      const id = await group('IT');
      const refused = await call(admin, 'POST', '/api/v2/group_memberships.json', {
        group_membership: { user_id: endUser.id, group_id: id },
      });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ error: 'RecordInvalid', details: { user_id: [{}] } });
      await membership(agent.id, id);
      const duplicate = await call(admin, 'POST', '/api/v2/group_memberships.json', {
        group_membership: { user_id: agent.id, group_id: id },
      });
      expect(duplicate.status).toBe(422);
    });

    it.each<[string, unknown]>([
      ['an unknown user', { group_membership: { user_id: 999999, group_id: 1 } }],
      ['a user id that is not a number', { group_membership: { user_id: 'me', group_id: 1 } }],
      ['no envelope', { user_id: 1, group_id: 1 }],
    ])('answers 422 for %s', async (_case, body) => {
      await group('IT');
      const res = await call(admin, 'POST', '/api/v2/group_memberships.json', body);
      expect(res.status).toBe(422);
    });

    it('answers 422 for an unknown group', async () => {
      const res = await call(admin, 'POST', '/api/v2/group_memberships.json', {
        group_membership: { user_id: agent.id, group_id: 999999 },
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ details: { group_id: [{}] } });
    });

    it("lists only the group's own memberships, and 404s for an unknown user or group", async () => {
      const it_ = await group('IT');
      const hr = await group('HR');
      await membership(agent.id, it_);
      const other = await membership(admin.id, hr);
      const listed = await call(agent, 'GET', `/api/v2/groups/${it_}/memberships.json`);
      expect((listed.body.group_memberships as { id: number }[]).map((m) => m.id)).not.toContain(
        other,
      );
      expect(listed.body).toMatchObject({ count: 1 });
      expect((await call(agent, 'GET', '/api/v2/groups/999999/memberships.json')).status).toBe(404);
      expect((await call(agent, 'GET', '/api/v2/users/999999/group_memberships.json')).status).toBe(
        404,
      );
    });

    it('lets an admin remove a membership (204, audited), an agent not (403)', async () => {
      const id = await group('IT');
      const mid = await membership(agent.id, id);
      expect((await call(agent, 'DELETE', `/api/v2/group_memberships/${mid}.json`)).status).toBe(
        403,
      );
      expect((await call(endUser, 'GET', `/api/v2/group_memberships/${mid}.json`)).status).toBe(
        403,
      );
      expect((await call(admin, 'DELETE', `/api/v2/group_memberships/${mid}`)).status).toBe(204);
      expect((await call(agent, 'GET', `/api/v2/group_memberships/${mid}.json`)).status).toBe(404);
      expect((await call(admin, 'DELETE', `/api/v2/group_memberships/${mid}.json`)).status).toBe(
        404,
      );
      const { entries } = await api.app.get(AuditLog).query({ action: 'group.membership.removed' });
      expect(entries.map((e) => [e.actorId, e.targetId])).toEqual([[String(admin.id), String(id)]]);
    });

    it("moves the user's default to the remaining membership when the default one is removed", async () => {
      const first = await membership(agent.id, await group('IT'));
      const second = await membership(agent.id, await group('HR'));
      expect(
        (await call(agent, 'GET', `/api/v2/group_memberships/${second}.json`)).body,
      ).toMatchObject({
        group_membership: { default: false },
      });
      await call(admin, 'DELETE', `/api/v2/group_memberships/${first}.json`);
      expect(
        (await call(agent, 'GET', `/api/v2/group_memberships/${second}.json`)).body,
      ).toMatchObject({
        group_membership: { default: true },
      });
    });
  });
});
