import { GroupMembershipService, GroupService, SYSTEM_ACTOR } from '@steward/identity';
import { DomainEvents } from '@steward/persistence';
import { DataSource } from 'typeorm';
import { type Body, type Caller, useApiHarness } from './testing/api-harness';

interface Result {
  id: number;
  result_type: 'ticket' | 'user';
  subject?: string;
  email?: string;
}

describe('/api/v2/search', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let agent: Caller;
  let endUser: Caller;
  let hrGroup: number;

  async function group(name: string, confidential = false): Promise<number> {
    return (await api.app.get(GroupService).create({ name, confidential }, SYSTEM_ACTOR)).id;
  }

  async function create(who: Caller, ticket: Record<string, unknown>): Promise<number> {
    const res = await call(who, 'POST', '/api/v2/tickets.json', { ticket });
    expect(res.status).toBe(201);
    await api.app.get(DomainEvents).settled();
    return (res.body.ticket as { id: number }).id;
  }

  function search(who: Caller, query: string, extra = ''): Promise<{ status: number; body: Body }> {
    return call(who, 'GET', `/api/v2/search.json?query=${encodeURIComponent(query)}${extra}`);
  }

  beforeEach(async () => {
    await api.reset();
    await api.app.get(DataSource).query('DELETE FROM ticket_search');
    admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    endUser = await caller('eve@example.com', 'end-user');
    hrGroup = await group('HR', true);
  });

  it('answers in the Zendesk shape, tickets marked with their result type', async () => {
    const id = await create(admin, {
      subject: 'VPN drops',
      comment: { body: 'Every hour.' },
      tags: ['vpn'],
      priority: 'high',
    });
    await create(admin, { subject: 'Printer', comment: { body: 'jam' }, priority: 'low' });
    const res = await search(admin, 'vpn status:new priority>normal tags:vpn');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      count: 1,
      next_page: null,
      previous_page: null,
      facets: null,
    });
    const [result] = res.body.results as Result[];
    expect(result).toMatchObject({ id, result_type: 'ticket', subject: 'VPN drops' });
    const count = await call(admin, 'GET', '/api/v2/search/count.json?query=type%3Aticket');
    expect(count).toMatchObject({ status: 200, body: { count: 2 } });
  });

  it('pages and sorts, with links that keep the query', async () => {
    const ids: number[] = [];
    for (const n of [1, 2, 3]) {
      ids.push(await create(admin, { subject: `Laptop ${n}`, comment: { body: 'battery' } }));
    }
    const first = await search(
      admin,
      'type:ticket battery',
      '&per_page=2&sort_by=id&sort_order=asc',
    );
    expect((first.body.results as Result[]).map((r) => r.id)).toEqual(ids.slice(0, 2));
    expect(first.body.count).toBe(3);
    const next = first.body.next_page as string;
    expect(next).toContain('query=type%3Aticket%20battery');
    const second = await call(admin, 'GET', next.slice(next.indexOf('/api/v2')));
    expect((second.body.results as Result[]).map((r) => r.id)).toEqual([ids[2]]);
    const newest = await search(admin, 'battery type:ticket', '&sort_by=created_at');
    expect((newest.body.results as Result[]).map((r) => r.id)).toEqual([...ids].reverse());
  });

  it('returns users after tickets for staff, and refuses end-users', async () => {
    const ticket = await create(admin, {
      subject: 'For eve',
      comment: { body: 'eve@example.com' },
    });
    const asAdmin = await search(admin, 'eve@example.com');
    expect((asAdmin.body.results as Result[]).map((r) => [r.result_type, r.id])).toEqual([
      ['ticket', ticket],
      ['user', endUser.id],
    ]);
    const users = await search(admin, 'type:user eve');
    expect(users.body.results).toEqual([
      expect.objectContaining({ result_type: 'user', email: 'eve@example.com' }),
    ]);
    expect((await search(endUser, 'eve')).status).toBe(403);
    expect((await call(endUser, 'GET', '/api/v2/search/count.json?query=eve')).status).toBe(403);
  });

  it('never shows a confidential group’s tickets, nor counts them', async () => {
    const hrAgent = await caller('hr@example.com', 'agent');
    await api.app
      .get(GroupMembershipService)
      .create({ userId: hrAgent.id, groupId: hrGroup }, SYSTEM_ACTOR);
    const secret = await create(hrAgent, {
      subject: 'Grievance',
      comment: { body: 'salary' },
      group_id: hrGroup,
    });
    expect((await search(hrAgent, 'salary')).body.count).toBe(1);
    expect(((await search(hrAgent, 'salary')).body.results as Result[])[0].id).toBe(secret);
    for (const who of [admin, agent]) {
      const res = await search(who, 'type:ticket salary');
      expect(res.body).toMatchObject({ results: [], count: 0 });
      const count = await call(who, 'GET', '/api/v2/search/count.json?query=group%3AHR');
      expect(count.body).toEqual({ count: 0 });
    }
  });

  it('finds CJK text', async () => {
    const id = await create(admin, {
      subject: '会議室の予約',
      comment: { body: '東京本社の会議室' },
    });
    const res = await search(admin, 'type:ticket 東京');
    expect((res.body.results as Result[]).map((r) => r.id)).toEqual([id]);
  });

  it.each([
    '"',
    '*',
    '+-',
    '(',
    'NEAR(a b)',
    'a AND b OR c',
    "';DROP TABLE tickets;--",
    "' OR '1'='1",
    '%27%3B',
    '\\',
    'status:"open" OR 1=1',
    '東京"',
    '-',
    '"unterminated',
  ])('answers %j with results or a clean 422, never a 500', async (query) => {
    await create(admin, { subject: 'Door', comment: { body: 'near the door' } });
    const res = await search(admin, query);
    expect([200, 422]).toContain(res.status);
    if (res.status === 422) {
      expect(res.body).toMatchObject({
        error: 'RecordInvalid',
        details: { query: [{ description: expect.any(String) as unknown }] },
      });
    }
    const again = await search(admin, 'type:ticket door');
    expect(again.body.count).toBe(1);
  });

  it('answers bad queries and parameters with a 422 that says what is wrong', async () => {
    const cases: Array<[string, string, string]> = [
      ['foo:bar', '', 'query'],
      ['status:gone', '', 'query'],
      ['created>someday', '', 'query'],
      ['', '', 'query'],
      ['vpn', '&sort_by=subject', 'sort_by'],
      ['vpn', '&sort_order=up', 'sort_order'],
      ['vpn', '&page=11&per_page=100', 'page'],
    ];
    for (const [query, extra, field] of cases) {
      const res = await search(admin, query, extra);
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.details as Body)).toEqual([field]);
    }
    const missing = await call(admin, 'GET', '/api/v2/search.json');
    expect(missing.status).toBe(422);
    const twice = await call(admin, 'GET', '/api/v2/search.json?query=a&query=b');
    expect(twice.status).toBe(422);
  });
});
