import { AuditLog } from '@steward/audit';
import { ApiTokenService, UserService } from '@steward/identity';
import { ANONYMOUS, type Body, type Caller, useApiHarness } from '../testing/api-harness';

describe('/api/v2/custom_roles', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let agent: Caller;

  beforeEach(async () => {
    await api.reset();
    admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
  });

  function role(res: { body: Body }): Body {
    return res.body.custom_role as Body;
  }

  const triage = {
    name: 'Triage',
    description: 'Sorts tickets',
    permissions: ['users.me', 'tickets.read'],
  };

  async function create(body: Body = triage): Promise<Body> {
    const res = await call(admin, 'POST', '/api/v2/custom_roles.json', { custom_role: body });
    expect(res.status).toBe(201);
    return role(res);
  }

  /** An agent holding the role, with an API token. */
  async function holder(roleId: number, email = 'cara@example.com'): Promise<Caller> {
    const { user } = await api.app
      .get(UserService)
      .createUser({ email, role: 'agent', customRoleId: roleId });
    const { token } = await api.app.get(ApiTokenService).create(user.id, 'test');
    return { id: user.id, auth: `Bearer ${token}` };
  }

  it('creates, lists, shows, updates and deletes a role in the Zendesk shape', async () => {
    const created = await create();
    expect(Object.keys(created).sort()).toEqual([
      'created_at',
      'description',
      'id',
      'name',
      'permissions',
      'role_type',
      'team_member_count',
      'updated_at',
      'url',
    ]);
    expect(created).toMatchObject({
      url: `${api.config.publicUrl}/api/v2/custom_roles/${String(created.id)}.json`,
      name: 'Triage',
      description: 'Sorts tickets',
      role_type: 0,
      permissions: ['users.me', 'tickets.read'],
      team_member_count: 0,
    });
    expect(created.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    for (const path of ['/api/v2/custom_roles.json', '/api/v2/custom_roles']) {
      const list = await call(admin, 'GET', path);
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ count: 1, next_page: null, previous_page: null });
      expect((list.body.custom_roles as Body[]).map((r) => r.name)).toEqual(['Triage']);
    }
    const shown = await call(admin, 'GET', `/api/v2/custom_roles/${String(created.id)}`);
    expect(role(shown)).toEqual(created);

    const updated = await call(admin, 'PUT', `/api/v2/custom_roles/${String(created.id)}.json`, {
      custom_role: { description: null, permissions: ['users.me', 'tickets.comment_internal'] },
    });
    expect(updated.status).toBe(200);
    expect(role(updated)).toMatchObject({
      name: 'Triage',
      description: null,
      permissions: ['users.me', 'tickets.comment_internal'],
    });

    const deleted = await call(admin, 'DELETE', `/api/v2/custom_roles/${String(created.id)}.json`);
    expect(deleted.status).toBe(204);
    expect((await call(admin, 'GET', `/api/v2/custom_roles/${String(created.id)}`)).status).toBe(
      404,
    );
    const audit = await api.app.get(AuditLog).query({ action: 'custom_role.changed' });
    expect(audit.entries.map((e) => (e.details as Body).change)).toEqual(
      expect.arrayContaining(['created', 'updated', 'deleted']),
    );
  });

  it('answers deleting a role that an agent holds with 422 and says what to do', async () => {
    const created = await create();
    await holder(Number(created.id));
    const res = await call(admin, 'DELETE', `/api/v2/custom_roles/${String(created.id)}`);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: {
        custom_role: [{ description: '1 agent holds this role; give them another role first' }],
      },
    });
    expect(
      role(await call(admin, 'GET', `/api/v2/custom_roles/${String(created.id)}`)),
    ).toMatchObject({ team_member_count: 1 });
  });

  it.each([
    ['an admin-only permission', { name: 'X', permissions: ['users.manage'] }, 'permissions'],
    ['an unknown permission', { name: 'X', permissions: ['tickets.everything'] }, 'permissions'],
    [
      'permissions that are not a list of strings',
      { name: 'X', permissions: 'users.me' },
      'permissions',
    ],
    ['no permissions', { name: 'X' }, 'permissions'],
    ['no name', { permissions: [] }, 'name'],
    ['a name of 256 characters', { name: 'x'.repeat(256), permissions: [] }, 'name'],
    [
      'a description that is a number',
      { name: 'X', description: 5, permissions: [] },
      'description',
    ],
  ])('answers %s with 422 naming the field', async (_case, body, field) => {
    const res = await call(admin, 'POST', '/api/v2/custom_roles.json', { custom_role: body });
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.details as Body)).toEqual([field]);
  });

  it('answers a body without the envelope with 422, and a malformed id with 404', async () => {
    expect((await call(admin, 'POST', '/api/v2/custom_roles', { name: 'X' })).status).toBe(422);
    expect((await call(admin, 'POST', '/api/v2/custom_roles', '{not json')).status).toBe(400);
    expect((await call(admin, 'GET', '/api/v2/custom_roles/abc')).status).toBe(404);
    expect((await call(admin, 'PUT', '/api/v2/custom_roles/999', { custom_role: {} })).status).toBe(
      404,
    );
  });

  it('is for admins only: agents, custom-role agents and anonymous callers are refused', async () => {
    const created = await create({
      name: 'Wide',
      permissions: ['users.me', 'users.read', 'users.write'],
    });
    const custom = await holder(Number(created.id));
    for (const who of [agent, custom]) {
      expect((await call(who, 'GET', '/api/v2/custom_roles.json')).status).toBe(403);
      expect(
        (await call(who, 'POST', '/api/v2/custom_roles.json', { custom_role: triage })).status,
      ).toBe(403);
    }
    expect((await call(ANONYMOUS, 'GET', '/api/v2/custom_roles.json')).status).toBe(401);
  });

  it('gives a custom-role agent exactly the permissions of the role, at once after a change', async () => {
    const created = await create({ name: 'Readers', permissions: ['users.me', 'users.read'] });
    // A session follows the stored role at once; an API token within its cache (10 s): a new
    // token is a fresh lookup.
    const custom = await holder(Number(created.id));
    expect((await call(custom, 'GET', '/api/v2/users.json')).status).toBe(200);
    expect((await call(custom, 'GET', '/api/v2/groups.json')).status).toBe(403);
    expect(
      (await call(custom, 'POST', '/api/v2/users.json', { user: { email: 'e@example.com' } }))
        .status,
    ).toBe(403);

    await call(admin, 'PUT', `/api/v2/custom_roles/${String(created.id)}`, {
      custom_role: { permissions: ['users.me', 'groups.read'] },
    });
    const { token } = await api.app.get(ApiTokenService).create(custom.id, 'fresh');
    const fresh = { id: custom.id, auth: `Bearer ${token}` };
    expect((await call(fresh, 'GET', '/api/v2/groups.json')).status).toBe(200);
    expect((await call(fresh, 'GET', '/api/v2/users.json')).status).toBe(403);
  });
});
