import { AuditLog } from '@steward/audit';

import { ANONYMOUS, type Body, type Caller, useApiHarness } from './testing/api-harness';

describe('/api/v2/users', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let agent: Caller;
  let endUser: Caller;

  function user(res: { body: Body }): Body {
    return res.body.user as Body;
  }

  function emails(res: { body: Body }): string[] {
    return (res.body.users as Body[]).map((u) => String(u.email));
  }

  beforeEach(async () => {
    await api.reset();
    admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    endUser = await caller('eve@example.com', 'end-user');
  });

  describe('list and show', () => {
    it('lists users for admins and agents, with and without .json, with offset pages', async () => {
      for (const who of [admin, agent]) {
        for (const path of ['/api/v2/users.json', '/api/v2/users']) {
          const res = await call(who, 'GET', `${path}?per_page=2`);
          expect(res.status).toBe(200);
          expect(emails(res)).toEqual(['admin@example.com', 'agent@example.com']);
          expect(res.body).toMatchObject({ count: 3, previous_page: null });
          expect(res.body.next_page).toContain('page=2&per_page=2');
        }
      }
    });

    it('filters the list by role, and answers an unknown role with 422', async () => {
      const res = await call(admin, 'GET', '/api/v2/users.json?role=end-user');
      expect(emails(res)).toEqual(['eve@example.com']);
      const bad = await call(admin, 'GET', '/api/v2/users.json?role=owner');
      expect(bad.status).toBe(422);
      expect(bad.body).toMatchObject({ error: 'RecordInvalid', details: { role: [{}] } });
    });

    it('refuses the list and a profile to end-users (403) and to anonymous callers (401)', async () => {
      expect((await call(endUser, 'GET', '/api/v2/users.json')).status).toBe(403);
      expect((await call(endUser, 'GET', `/api/v2/users/${admin.id}.json`)).status).toBe(403);
      expect((await call(ANONYMOUS, 'GET', '/api/v2/users.json')).status).toBe(401);
      expect((await call(ANONYMOUS, 'GET', `/api/v2/users/${admin.id}`)).status).toBe(401);
    });

    it('shows a user, and answers 404 for an unknown or malformed id', async () => {
      const res = await call(agent, 'GET', `/api/v2/users/${endUser.id}`);
      expect(res.status).toBe(200);
      expect(user(res)).toMatchObject({
        id: endUser.id,
        email: 'eve@example.com',
        role: 'end-user',
      });
      expect((await call(agent, 'GET', '/api/v2/users/999999.json')).status).toBe(404);
      expect((await call(agent, 'GET', '/api/v2/users/abc.json')).status).toBe(404);
    });

    it('still answers /me for every role', async () => {
      const res = await call(endUser, 'GET', '/api/v2/users/me.json');
      expect(user(res)).toMatchObject({ id: endUser.id });
    });
  });

  describe('create', () => {
    it('creates an end-user by default and audits it', async () => {
      const res = await call(admin, 'POST', '/api/v2/users.json', {
        user: { name: 'Roger Wilco', email: ' Roger@Example.com ', external_id: 42 },
      });
      expect(res.status).toBe(201);
      expect(user(res)).toMatchObject({
        name: 'Roger Wilco',
        email: 'roger@example.com',
        role: 'end-user',
        external_id: '42',
        active: true,
      });
      const page = await api.app.get(AuditLog).query({ action: 'user.created' });
      expect(page.entries.map((e) => e.targetId)).toContain(String(user(res).id));
    });

    it('lets an agent create an end-user but not staff', async () => {
      const ok = await call(agent, 'POST', '/api/v2/users', { user: { email: 'a@example.com' } });
      expect(ok.status).toBe(201);
      const staff = await call(agent, 'POST', '/api/v2/users', {
        user: { email: 'b@example.com', role: 'agent' },
      });
      expect(staff.status).toBe(403);
      const admin2 = await call(admin, 'POST', '/api/v2/users', {
        user: { email: 'c@example.com', role: 'agent' },
      });
      expect(user(admin2)).toMatchObject({ role: 'agent' });
    });

    it('refuses end-users and anonymous callers', async () => {
      const body = { user: { email: 'x@example.com' } };
      expect((await call(endUser, 'POST', '/api/v2/users.json', body)).status).toBe(403);
      expect((await call(ANONYMOUS, 'POST', '/api/v2/users.json', body)).status).toBe(401);
    });

    it('answers a duplicate email with 422 and "has already been taken"', async () => {
      const res = await call(admin, 'POST', '/api/v2/users.json', {
        user: { email: 'EVE@example.com' },
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        error: 'RecordInvalid',
        details: {
          email: [{ description: expect.stringContaining('has already been taken') as unknown }],
        },
      });
    });

    it('answers bad bodies with 422 or 400, never 500', async () => {
      const bodies: unknown[] = [
        {},
        { user: null },
        { user: [] },
        { user: { email: 7 } },
        { user: { email: 'not an address' } },
        { user: { email: 'ok@example.com', role: 'root' } },
        { user: { email: 'ok@example.com', name: '' } },
        { user: { email: 'ok@example.com', external_id: { a: 1 } } },
        '{"user":',
        '[]',
      ];
      for (const body of bodies) {
        const res = await call(admin, 'POST', '/api/v2/users.json', body);
        expect([400, 422]).toContain(res.status);
      }
    });
  });

  describe('update', () => {
    it('updates a name and an email; the new email is the primary identity', async () => {
      const res = await call(agent, 'PUT', `/api/v2/users/${endUser.id}.json`, {
        user: { name: 'Eve Online', email: 'eve2@example.com' },
      });
      expect(res.status).toBe(200);
      expect(user(res)).toMatchObject({ name: 'Eve Online', email: 'eve2@example.com' });
      const ids = await call(admin, 'GET', `/api/v2/users/${endUser.id}/identities.json`);
      const identities = ids.body.identities as Body[];
      expect(identities.map((i) => [i.value, i.primary])).toEqual([
        ['eve2@example.com', true],
        ['eve@example.com', false],
      ]);
    });

    it('lets only admins change a role, and audits it as role.changed', async () => {
      const byAgent = await call(agent, 'PUT', `/api/v2/users/${endUser.id}`, {
        user: { role: 'agent' },
      });
      expect(byAgent.status).toBe(403);
      const byAdmin = await call(admin, 'PUT', `/api/v2/users/${endUser.id}`, {
        user: { role: 'agent' },
      });
      expect(user(byAdmin)).toMatchObject({ role: 'agent' });
      const page = await api.app.get(AuditLog).query({ action: 'role.changed' });
      expect(page.entries).toHaveLength(1);
      expect(page.entries[0]).toMatchObject({
        actorId: String(admin.id),
        targetId: String(endUser.id),
        details: { from: 'end-user', to: 'agent' },
      });
    });

    it('does not let an agent edit an admin or another agent', async () => {
      for (const target of [admin]) {
        const res = await call(agent, 'PUT', `/api/v2/users/${target.id}.json`, {
          user: { name: 'Mallory' },
        });
        expect(res.status).toBe(403);
      }
      const other = await caller('agent2@example.com', 'agent');
      const res = await call(agent, 'PUT', `/api/v2/users/${other.id}.json`, {
        user: { name: 'Mallory' },
      });
      expect(res.status).toBe(403);
    });

    it('answers an email taken by another user with 422', async () => {
      const res = await call(admin, 'PUT', `/api/v2/users/${endUser.id}`, {
        user: { email: 'agent@example.com' },
      });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ details: { email: [{}] } });
    });
  });

  describe('delete', () => {
    it('deactivates the user (active: false), ends their tokens, keeps the record', async () => {
      const res = await call(admin, 'DELETE', `/api/v2/users/${endUser.id}.json`);
      expect(res.status).toBe(200);
      expect(user(res)).toMatchObject({ id: endUser.id, active: false, email: 'eve@example.com' });
      expect((await call(endUser, 'GET', '/api/v2/users/me.json')).status).toBe(401);
      const shown = await call(admin, 'GET', `/api/v2/users/${endUser.id}`);
      expect(user(shown)).toMatchObject({ active: false });
    });

    it('is for admins only, and not for oneself', async () => {
      expect((await call(agent, 'DELETE', `/api/v2/users/${endUser.id}`)).status).toBe(403);
      expect((await call(endUser, 'DELETE', `/api/v2/users/${endUser.id}`)).status).toBe(403);
      expect((await call(ANONYMOUS, 'DELETE', `/api/v2/users/${endUser.id}`)).status).toBe(401);
      expect((await call(admin, 'DELETE', `/api/v2/users/${admin.id}`)).status).toBe(422);
      expect((await call(admin, 'DELETE', '/api/v2/users/999999')).status).toBe(404);
    });
  });

  describe('create_or_update', () => {
    it('creates when no user matches (201), updates when the email matches (200)', async () => {
      const created = await call(admin, 'POST', '/api/v2/users/create_or_update.json', {
        user: { email: 'new@example.com', name: 'New' },
      });
      expect(created.status).toBe(201);
      const updated = await call(admin, 'POST', '/api/v2/users/create_or_update', {
        user: { email: 'NEW@example.com', name: 'Renamed' },
      });
      expect(updated.status).toBe(200);
      expect(user(updated)).toMatchObject({ id: user(created).id, name: 'Renamed' });
    });

    it('matches by external_id before email', async () => {
      const created = await call(agent, 'POST', '/api/v2/users/create_or_update.json', {
        user: { email: 'ext@example.com', external_id: 'crm-1' },
      });
      expect(created.status).toBe(201);
      const updated = await call(agent, 'POST', '/api/v2/users/create_or_update.json', {
        user: { email: 'ext2@example.com', external_id: 'crm-1' },
      });
      expect(updated.status).toBe(200);
      expect(user(updated)).toMatchObject({ id: user(created).id, email: 'ext2@example.com' });
    });

    it('refuses end-users', async () => {
      const res = await call(endUser, 'POST', '/api/v2/users/create_or_update.json', {
        user: { email: 'x@example.com' },
      });
      expect(res.status).toBe(403);
    });
  });

  describe('search', () => {
    beforeEach(async () => {
      for (const [email, name] of [
        ['percent@example.com', '100% Sure'],
        ['under_score@example.com', 'Under Score'],
        ['plain@example.com', "O'Brien"],
      ]) {
        await call(admin, 'POST', '/api/v2/users.json', { user: { email, name } });
      }
    });

    it('finds users whose email or name contains the query, with and without .json', async () => {
      for (const path of ['/api/v2/users/search.json', '/api/v2/users/search']) {
        const res = await call(agent, 'GET', `${path}?query=PLAIN`);
        expect(res.status).toBe(200);
        expect(emails(res)).toEqual(['plain@example.com']);
      }
      const byName = await call(agent, 'GET', '/api/v2/users/search.json?query=score');
      expect(emails(byName)).toEqual(['under_score@example.com']);
    });

    it('matches % and _ literally, not as wildcards', async () => {
      const percent = await call(
        admin,
        'GET',
        `/api/v2/users/search.json?query=${encodeURIComponent('%')}`,
      );
      expect(emails(percent)).toEqual(['percent@example.com']);
      const under = await call(admin, 'GET', '/api/v2/users/search.json?query=_');
      expect(emails(under)).toEqual(['under_score@example.com']);
    });

    it('treats quotes and SQL as text: results or empty, never 500', async () => {
      const quote = await call(
        admin,
        'GET',
        `/api/v2/users/search.json?query=${encodeURIComponent("O'B")}`,
      );
      expect(emails(quote)).toEqual(['plain@example.com']);
      for (const query of ["' OR 1=1 --", '" OR ""="', '\\', '!', '*', 'a AND b', 'NEAR(x y)']) {
        const res = await call(
          admin,
          'GET',
          `/api/v2/users/search.json?query=${encodeURIComponent(query)}`,
        );
        expect(res.status).toBe(200);
        expect(res.body.users).toEqual([]);
      }
    });

    it('answers a missing or overlong query with 422', async () => {
      expect((await call(admin, 'GET', '/api/v2/users/search.json')).status).toBe(422);
      const long = 'a'.repeat(300);
      expect((await call(admin, 'GET', `/api/v2/users/search.json?query=${long}`)).status).toBe(
        422,
      );
    });

    it('refuses end-users and anonymous callers', async () => {
      expect((await call(endUser, 'GET', '/api/v2/users/search.json?query=a')).status).toBe(403);
      expect((await call(ANONYMOUS, 'GET', '/api/v2/users/search.json?query=a')).status).toBe(401);
    });
  });
});
