import { AuditLog } from '@steward/audit';

import { ANONYMOUS, type Body, type Caller, useApiHarness } from './testing/api-harness';

describe('/api/v2/audit_logs', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let agent: Caller;
  let endUser: Caller;

  beforeEach(async () => {
    await api.reset();
    admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    endUser = await caller('eve@example.com', 'end-user');
  });

  function logs(res: { body: Body }): Body[] {
    return res.body.audit_logs as Body[];
  }

  async function record(action: string, targetId: number, actorId = admin.id): Promise<void> {
    await api.app.get(AuditLog).record({
      actorType: 'user',
      actorId,
      action,
      targetType: 'user',
      targetId,
      ip: '192.0.2.7',
    });
  }

  it('lists entries newest first in the Zendesk shape, for admins only', async () => {
    await record('user.updated', endUser.id);
    for (const path of ['/api/v2/audit_logs.json', '/api/v2/audit_logs']) {
      const res = await call(admin, 'GET', path);
      expect(res.status).toBe(200);
      expect(logs(res)[0]).toMatchObject({
        actor_id: admin.id,
        actor_type: 'user',
        action: 'user.updated',
        source_type: 'user',
        source_id: endUser.id,
        ip_address: '192.0.2.7',
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/) as unknown,
      });
      expect(res.body.meta).toMatchObject({ has_more: false, after_cursor: null });
      expect(res.body.links).toMatchObject({ next: null });
    }
    expect((await call(agent, 'GET', '/api/v2/audit_logs.json')).status).toBe(403);
    expect((await call(endUser, 'GET', '/api/v2/audit_logs.json')).status).toBe(403);
    expect((await call(ANONYMOUS, 'GET', '/api/v2/audit_logs.json')).status).toBe(401);
  });

  it('shows one entry, and 404 for an unknown one', async () => {
    await record('user.updated', endUser.id);
    const [first] = logs(await call(admin, 'GET', '/api/v2/audit_logs.json'));
    const shown = await call(admin, 'GET', `/api/v2/audit_logs/${String(first?.id)}.json`);
    expect(shown.status).toBe(200);
    expect(shown.body.audit_log).toEqual(first);
    expect((await call(admin, 'GET', '/api/v2/audit_logs/99999999')).status).toBe(404);
    expect((await call(agent, 'GET', `/api/v2/audit_logs/${String(first?.id)}`)).status).toBe(403);
  });

  it('filters by action, actor, source type and source id', async () => {
    await record('user.updated', endUser.id);
    await record('user.created', agent.id);
    await record('user.updated', agent.id, agent.id);
    const q = (query: string) => call(admin, 'GET', `/api/v2/audit_logs.json?${query}`);
    const byAction = logs(await q('filter[action]=user.created'));
    expect(byAction.map((l) => l.source_id)).toEqual([agent.id]);
    const byActor = logs(await q(`filter[actor_id]=${agent.id}`));
    expect(byActor.map((l) => l.action)).toEqual(['user.updated']);
    const bySource = logs(await q(`filter[source_type]=user&filter[source_id]=${endUser.id}`));
    expect(bySource.map((l) => l.action)).toEqual(['user.updated']);
  });

  it('filters by a created_at range of two times', async () => {
    await record('user.updated', endUser.id);
    const past = encodeURIComponent('2000-01-01T00:00:00Z');
    const future = encodeURIComponent('2999-01-01T00:00:00Z');
    const inRange = await call(
      admin,
      'GET',
      `/api/v2/audit_logs.json?filter[created_at][]=${past}&filter[created_at][]=${future}&filter[action]=user.updated`,
    );
    expect(logs(inRange)).toHaveLength(1);
    const before = await call(
      admin,
      'GET',
      `/api/v2/audit_logs.json?filter[created_at][]=${past}&filter[created_at][]=${past}`,
    );
    expect(logs(before)).toEqual([]);
    const one = await call(admin, 'GET', `/api/v2/audit_logs.json?filter[created_at][]=${past}`);
    expect(one.status).toBe(422);
  });

  it('pages with page[size] and page[after], following links.next to the end', async () => {
    for (let i = 0; i < 5; i++) await record('user.updated', endUser.id);
    const seen: unknown[] = [];
    let next: string | null =
      `${api.base}/api/v2/audit_logs.json?page[size]=2&filter[action]=user.updated`;
    let pages = 0;
    while (next !== null) {
      const res = await call(admin, 'GET', next.slice(next.indexOf('/api/v2/')));
      expect(res.status).toBe(200);
      const page = logs(res);
      expect(page.length).toBeLessThanOrEqual(2);
      seen.push(...page.map((l) => l.id));
      const meta = res.body.meta as { has_more: boolean; after_cursor: string | null };
      next = (res.body.links as { next: string | null }).next;
      expect(meta.has_more).toBe(next !== null);
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it('answers bad page sizes, cursors and times with 422, never 500', async () => {
    for (const query of [
      'page[size]=0',
      'page[size]=101',
      'page[size]=abc',
      'page[after]=garbage',
      "page[after]=' OR 1=1 --",
      'filter[created_at][]=yesterday&filter[created_at][]=today',
      'filter[action]=a&filter[action]=b',
    ]) {
      const res = await call(admin, 'GET', `/api/v2/audit_logs.json?${query}`);
      expect(res.status).toBe(422);
    }
  });
});
