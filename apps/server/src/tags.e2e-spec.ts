import { GroupMembershipService, GroupService, SYSTEM_ACTOR } from '@steward/identity';
import { TicketEntity } from '@steward/tickets';
import { DataSource } from 'typeorm';
import { type Body, type Caller, useApiHarness } from './testing/api-harness';

interface AuditEvent {
  type: string;
  field_name?: string;
  value?: unknown;
  previous_value?: unknown;
}

describe('/api/v2/tags and /api/v2/tickets/:id/tags', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let agent: Caller;
  let light: Caller;
  let requester: Caller;
  let hrAgent: Caller;
  let itGroup: number;
  let hr: number;

  async function group(name: string, confidential = false): Promise<number> {
    return (await api.app.get(GroupService).create({ name, confidential }, SYSTEM_ACTOR)).id;
  }

  async function join(who: Caller, groupId: number): Promise<void> {
    await api.app.get(GroupMembershipService).create({ userId: who.id, groupId }, SYSTEM_ACTOR);
  }

  async function ticket(who: Caller, tags: string[], groupId = itGroup): Promise<number> {
    const res = await call(who, 'POST', '/api/v2/tickets.json', {
      ticket: { subject: 'Tagged', comment: { body: 'x' }, group_id: groupId, tags },
    });
    expect(res.status).toBe(201);
    return (res.body.ticket as { id: number }).id;
  }

  beforeEach(async () => {
    await api.reset();
    admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    light = await caller('light@example.com', 'light-agent');
    requester = await caller('rita@example.com', 'end-user');
    hrAgent = await caller('hr@example.com', 'agent');
    itGroup = await group('IT');
    hr = await group('HR', true);
    await join(agent, itGroup);
    await join(light, itGroup);
    await join(hrAgent, hr);
  });

  it('sets (POST), adds (PUT) and removes (DELETE) a ticket’s tags, each change audited', async () => {
    const id = await ticket(agent, ['vpn']);
    const path = `/api/v2/tickets/${id}/tags.json`;

    const set = await call(agent, 'POST', path, { tags: ['Laptop', 'vpn'] });
    expect([set.status, set.body]).toEqual([201, { tags: ['laptop', 'vpn'] }]);
    const added = await call(agent, 'PUT', path, { tags: ['urgent'] });
    expect([added.status, added.body]).toEqual([200, { tags: ['laptop', 'urgent', 'vpn'] }]);
    const removed = await call(agent, 'DELETE', path, { tags: ['vpn', 'absent'] });
    expect(removed.status).toBe(204);
    expect((await call(light, 'GET', path)).body).toEqual({ tags: ['laptop', 'urgent'] });

    const audits = await call(agent, 'GET', `/api/v2/tickets/${id}/audits.json`);
    const changes = (audits.body.audits as Array<{ events: AuditEvent[] }>)
      .flatMap((a) => a.events)
      .filter((e) => e.type === 'Change' && e.field_name === 'tags');
    expect(changes.map((e) => [e.previous_value, e.value])).toEqual([
      [['vpn'], ['laptop', 'vpn']],
      [
        ['laptop', 'vpn'],
        ['laptop', 'urgent', 'vpn'],
      ],
      [
        ['laptop', 'urgent', 'vpn'],
        ['laptop', 'urgent'],
      ],
    ]);
  });

  it('refuses a stale safe_update with 409 and accepts a fresh one', async () => {
    const id = await ticket(agent, []);
    const path = `/api/v2/tickets/${id}/tags.json`;
    const stale = await call(agent, 'PUT', path, {
      tags: ['a'],
      safe_update: true,
      updated_stamp: '2000-01-01T00:00:00Z',
    });
    expect(stale.status).toBe(409);
    const { updatedAt } = await api.app
      .get(DataSource)
      .getRepository(TicketEntity)
      .findOneByOrFail({ id });
    const fresh = await call(agent, 'PUT', path, {
      tags: ['a'],
      safe_update: 'true',
      updated_stamp: updatedAt.toISOString(),
    });
    expect([fresh.status, fresh.body]).toEqual([200, { tags: ['a'] }]);
    const missing = await call(agent, 'PUT', path, { tags: ['b'], safe_update: true });
    expect(missing.status).toBe(422);
  });

  it('answers bad tag changes with 4xx', async () => {
    const id = await ticket(agent, []);
    const hrTicket = await ticket(hrAgent, [], hr);
    const path = `/api/v2/tickets/${id}/tags.json`;
    const cases: Array<[Caller, string, string, unknown, number]> = [
      [agent, 'PUT', path, {}, 422],
      [agent, 'PUT', path, { tags: 'vpn' }, 422],
      [agent, 'PUT', path, { tags: ['not valid!'] }, 422],
      [agent, 'PUT', path, { tags: ['x'.repeat(81)] }, 422],
      [agent, 'POST', path, '{"tags": [', 400],
      [agent, 'PUT', `/api/v2/tickets/${hrTicket}/tags.json`, { tags: ['a'] }, 404],
      [agent, 'GET', `/api/v2/tickets/${hrTicket}/tags.json`, undefined, 404],
      [agent, 'PUT', '/api/v2/tickets/999999/tags.json', { tags: ['a'] }, 404],
      [light, 'PUT', path, { tags: ['a'] }, 403],
      [requester, 'GET', path, undefined, 403],
    ];
    for (const [who, method, target, body, status] of cases) {
      const res = await call(who, method, target, body);
      expect([method, target, body, res.status]).toEqual([method, target, body, status]);
    }
    await api.app.get(DataSource).query(`UPDATE tickets SET status = 'closed' WHERE id = ${id}`);
    expect((await call(agent, 'PUT', path, { tags: ['late'] })).status).toBe(422);
  });

  it('lists the most used tags over the tickets the caller may see, a page at a time', async () => {
    await ticket(agent, ['vpn', 'laptop']);
    await ticket(agent, ['vpn']);
    await ticket(agent, ['vpn-outage', 'laptop']);
    await ticket(hrAgent, ['grievance', 'vpn'], hr);

    const list = async (who: Caller, query = '') => {
      const res = await call(who, 'GET', `/api/v2/tags.json${query}`);
      expect(res.status).toBe(200);
      return res.body;
    };
    expect(await list(agent)).toEqual({
      tags: [
        { name: 'vpn', count: 2 },
        { name: 'laptop', count: 2 },
        { name: 'vpn-outage', count: 1 },
      ].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
      next_page: null,
      previous_page: null,
      count: 3,
    });
    expect(((await list(hrAgent)).tags as Body[]).map((t) => t.name)).toEqual(['grievance', 'vpn']);
    // Admins see every group's tickets, but not a confidential group's they are not in.
    expect(((await list(admin)).tags as Body[]).map((t) => t.name)).not.toContain('grievance');
    const page = await list(agent, '?per_page=1&page=2');
    expect(page).toMatchObject({
      tags: [{ name: 'vpn', count: 2 }],
      count: 3,
      next_page: expect.stringContaining('page=3') as unknown,
    });
  });

  it('autocompletes tag names from 2 characters, inside the caller’s tickets', async () => {
    await ticket(agent, ['vpn', 'vpn-outage', 'laptop']);
    await ticket(hrAgent, ['vp_secret'], hr);
    const res = await call(agent, 'GET', '/api/v2/autocomplete/tags.json?name=VP');
    expect([res.status, res.body]).toEqual([200, { tags: ['vpn', 'vpn-outage'] }]);
    const wildcard = await call(hrAgent, 'GET', '/api/v2/autocomplete/tags.json?name=vp_');
    expect(wildcard.body).toEqual({ tags: ['vp_secret'] });
    const percent = await call(agent, 'GET', '/api/v2/autocomplete/tags.json?name=%25%25');
    expect(percent.body).toEqual({ tags: [] });
    expect((await call(agent, 'GET', '/api/v2/autocomplete/tags.json?name=v')).status).toBe(422);
    expect((await call(agent, 'GET', '/api/v2/autocomplete/tags.json')).status).toBe(422);
  });
});
