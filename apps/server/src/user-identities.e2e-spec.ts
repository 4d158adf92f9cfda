import { AuditLog } from '@steward/audit';
import { UserService } from '@steward/identity';

import { ANONYMOUS, type Body, type Caller, useApiHarness } from './testing/api-harness';

describe('/api/v2/users/{user_id}/identities', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let agent: Caller;
  let endUser: Caller;

  function user(res: { body: Body }): Body {
    return res.body.user as Body;
  }

  beforeEach(async () => {
    await api.reset();
    admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    endUser = await caller('eve@example.com', 'end-user');
  });

  function identities(res: { body: Body }): Array<[unknown, unknown]> {
    return (res.body.identities as Body[]).map((i) => [i.value, i.primary]);
  }

  async function addIdentity(userId: number, value: string): Promise<number> {
    const res = await call(admin, 'POST', `/api/v2/users/${userId}/identities.json`, {
      identity: { type: 'email', value },
    });
    expect(res.status).toBe(201);
    return (res.body.identity as { id: number }).id;
  }

  async function me(who: Caller): Promise<Body> {
    return user(await call(who, 'GET', '/api/v2/users/me.json'));
  }

  it('lists the primary identity every user is created with, with and without .json', async () => {
    for (const path of [
      `/api/v2/users/${endUser.id}/identities.json`,
      `/api/v2/users/${endUser.id}/identities`,
    ]) {
      const res = await call(agent, 'GET', path);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ count: 1, next_page: null });
      const [identity] = res.body.identities as Body[];
      expect(identity).toMatchObject({
        user_id: endUser.id,
        type: 'email',
        value: 'eve@example.com',
        primary: true,
        verified: true,
      });
    }
  });

  it('adds, shows, updates, verifies and deletes a secondary identity', async () => {
    const id = await addIdentity(endUser.id, ' Eve.Home@Example.com ');
    const shown = await call(agent, 'GET', `/api/v2/users/${endUser.id}/identities/${id}`);
    expect(shown.body.identity).toMatchObject({
      value: 'eve.home@example.com',
      primary: false,
      verified: false,
    });
    const updated = await call(agent, 'PUT', `/api/v2/users/${endUser.id}/identities/${id}.json`, {
      identity: { value: 'eve.away@example.com' },
    });
    expect(updated.body.identity).toMatchObject({ value: 'eve.away@example.com', verified: false });
    const verified = await call(
      agent,
      'PUT',
      `/api/v2/users/${endUser.id}/identities/${id}/verify`,
    );
    expect(verified.body.identity).toMatchObject({ verified: true });
    const moved = await call(agent, 'PUT', `/api/v2/users/${endUser.id}/identities/${id}`, {
      identity: { value: 'eve.elsewhere@example.com' },
    });
    expect(moved.body.identity).toMatchObject({ verified: false });
    const deleted = await call(agent, 'DELETE', `/api/v2/users/${endUser.id}/identities/${id}`);
    expect(deleted.status).toBe(204);
    const list = await call(agent, 'GET', `/api/v2/users/${endUser.id}/identities.json`);
    expect(identities(list)).toEqual([['eve@example.com', true]]);
  });

  it('make_primary switches the primary identity and keeps users.email and sign-in in step', async () => {
    const id = await addIdentity(endUser.id, 'eve.work@example.com');
    const res = await call(
      agent,
      'PUT',
      `/api/v2/users/${endUser.id}/identities/${id}/make_primary.json`,
    );
    expect(res.status).toBe(200);
    expect(identities(res)).toEqual([
      ['eve.work@example.com', true],
      ['eve@example.com', false],
    ]);
    expect(await me(endUser)).toMatchObject({ email: 'eve.work@example.com' });
    expect(await api.app.get(UserService).findByEmail('eve.work@example.com')).toMatchObject({
      id: endUser.id,
    });
  });

  it('changing the value of the primary identity changes the user email', async () => {
    const [primary] = (await call(admin, 'GET', `/api/v2/users/${endUser.id}/identities`)).body
      .identities as Body[];
    await call(admin, 'PUT', `/api/v2/users/${endUser.id}/identities/${String(primary?.id)}`, {
      identity: { value: 'eve.new@example.com' },
    });
    expect(await me(endUser)).toMatchObject({ email: 'eve.new@example.com' });
  });

  it('refuses to delete the primary identity (422)', async () => {
    const [primary] = (await call(admin, 'GET', `/api/v2/users/${endUser.id}/identities`)).body
      .identities as Body[];
    const res = await call(
      admin,
      'DELETE',
      `/api/v2/users/${endUser.id}/identities/${String(primary?.id)}`,
    );
    expect(res.status).toBe(422);
  });

  it('answers an address another user has with 422, and bad bodies with 422, never 500', async () => {
    const taken = await call(admin, 'POST', `/api/v2/users/${endUser.id}/identities.json`, {
      identity: { type: 'email', value: 'AGENT@example.com' },
    });
    expect(taken.status).toBe(422);
    expect(taken.body).toMatchObject({
      details: {
        value: [{ description: expect.stringContaining('has already been taken') as unknown }],
      },
    });
    for (const body of [
      {},
      { identity: null },
      { identity: { type: 'phone_number', value: '+15555550100' } },
      { identity: { type: 'email', value: 'nope' } },
      { identity: { type: 'email', value: 5 } },
      { identity: { type: 'email', value: 'x@example.com', primary: 'yes' } },
    ]) {
      const res = await call(admin, 'POST', `/api/v2/users/${endUser.id}/identities.json`, body);
      expect(res.status).toBe(422);
    }
  });

  it("answers 404 for another user's identity through a mismatched user_id (IDOR)", async () => {
    const id = await addIdentity(endUser.id, 'eve.private@example.com');
    const other = agent.id;
    for (const [method, path] of [
      ['GET', `/api/v2/users/${other}/identities/${id}.json`],
      ['PUT', `/api/v2/users/${other}/identities/${id}/make_primary`],
      ['PUT', `/api/v2/users/${other}/identities/${id}/verify`],
      ['DELETE', `/api/v2/users/${other}/identities/${id}`],
    ] as const) {
      expect((await call(admin, method, path)).status).toBe(404);
    }
    const put = await call(admin, 'PUT', `/api/v2/users/${other}/identities/${id}`, {
      identity: { verified: true },
    });
    expect(put.status).toBe(404);
    const list = await call(admin, 'GET', `/api/v2/users/${endUser.id}/identities`);
    expect(identities(list)).toContainEqual(['eve.private@example.com', false]);
  });

  it("does not let an agent change an admin's identities; end-users and anonymous callers get nothing", async () => {
    const res = await call(agent, 'POST', `/api/v2/users/${admin.id}/identities.json`, {
      identity: { type: 'email', value: 'boss@example.com' },
    });
    expect(res.status).toBe(403);
    const path = `/api/v2/users/${endUser.id}/identities.json`;
    expect((await call(endUser, 'GET', path)).status).toBe(403);
    expect((await call(ANONYMOUS, 'GET', path)).status).toBe(401);
    expect(
      (await call(ANONYMOUS, 'POST', path, { identity: { value: 'a@example.com' } })).status,
    ).toBe(401);
  });

  it('audits identity changes', async () => {
    await addIdentity(endUser.id, 'eve.audit@example.com');
    const page = await api.app.get(AuditLog).query({ action: 'user.identity.changed' });
    expect(page.entries[0]).toMatchObject({
      actorId: String(admin.id),
      targetId: String(endUser.id),
    });
  });
});
