import { GroupMembershipService, GroupService, SYSTEM_ACTOR } from '@steward/identity';
import { type Body, type Caller, useApiHarness } from './testing/api-harness';

interface View {
  id: number;
  url: string;
  title: string;
  default: boolean;
  active: boolean;
  restriction: { type: string; id: number } | null;
  conditions: { all: Body[]; any: Body[] };
  execution: { columns: Array<{ id: string; title: string }>; sort_by: string };
}

/** The views API through the real server; the defaults come from the migration. */
describe('/api/v2/views', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let agent: Caller;
  let light: Caller;
  let endUser: Caller;
  let itGroup: number;
  let hrGroup: number;
  const defaults: Record<string, View> = {};

  async function group(name: string, confidential = false): Promise<number> {
    return (await api.app.get(GroupService).create({ name, confidential }, SYSTEM_ACTOR)).id;
  }

  async function join(who: Caller, groupId: number): Promise<void> {
    await api.app.get(GroupMembershipService).create({ userId: who.id, groupId }, SYSTEM_ACTOR);
  }

  async function ticket(who: Caller, fields: Body): Promise<number> {
    const res = await call(who, 'POST', '/api/v2/tickets.json', {
      ticket: { comment: { body: 'x' }, ...fields },
    });
    expect(res.status).toBe(201);
    return (res.body.ticket as Body).id as number;
  }

  beforeAll(async () => {
    admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    light = await caller('light@example.com', 'light-agent');
    endUser = await caller('eve@example.com', 'end-user');
    itGroup = await group('IT');
    hrGroup = await group('HR', true);
    await join(agent, itGroup);
    await join(light, itGroup);
    await join(agent, hrGroup);
    await ticket(admin, { subject: 'IT mine', group_id: itGroup, assignee_id: agent.id });
    await ticket(admin, { subject: 'IT nobody', group_id: itGroup });
    await ticket(admin, { subject: 'HR nobody', group_id: hrGroup });
    await ticket(admin, { subject: 'HR mine', group_id: hrGroup, assignee_id: agent.id });
    const listed = await call(agent, 'GET', '/api/v2/views.json');
    for (const view of listed.body.views as View[]) defaults[view.title] = view;
  });

  it('lists the default views the Zendesk way', async () => {
    const res = await call(light, 'GET', '/api/v2/views/active.json');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 4, next_page: null, previous_page: null });
    const views = res.body.views as View[];
    expect(views.map((v) => v.title)).toEqual([
      'My open tickets',
      'Unassigned tickets in my groups',
      'Pending',
      'Recently solved',
    ]);
    expect(views[0]).toMatchObject({
      url: `${api.config.publicUrl}/api/v2/views/${views[0].id}.json`,
      default: true,
      active: true,
      restriction: null,
      conditions: {
        all: [
          { field: 'assignee_id', operator: 'is', value: 'current_user' },
          { field: 'status', operator: 'less_than', value: 'solved' },
        ],
        any: [],
      },
      execution: { sort_by: 'updated_at' },
    });
    expect(views[0].execution.columns.map((c) => c.id)).toEqual([
      'subject',
      'requester',
      'status',
      'priority',
      'updated',
    ]);
    const shown = await call(light, 'GET', `/api/v2/views/${views[0].id}.json`);
    expect(shown.body.view).toEqual(views[0]);
  });

  it('counts, executes and lists tickets inside the caller’s scope', async () => {
    const mine = defaults['My open tickets'].id;
    const unassigned = defaults['Unassigned tickets in my groups'].id;
    const count = await call(agent, 'GET', `/api/v2/views/${mine}/count.json`);
    expect(count.body).toEqual({
      view_count: {
        view_id: mine,
        url: `${api.config.publicUrl}/api/v2/views/${mine}/count.json`,
        value: 2,
        pretty: '2',
        fresh: true,
      },
    });
    const many = await call(
      light,
      'GET',
      `/api/v2/views/count_many.json?ids=${unassigned},${mine}`,
    );
    expect((many.body.view_counts as Body[]).map((c) => [c.view_id, c.value])).toEqual([
      [unassigned, 1],
      [mine, 0],
    ]);
    const rows = await call(agent, 'GET', `/api/v2/views/${unassigned}/execute.json?per_page=1`);
    expect(rows.status).toBe(200);
    expect(rows.body).toMatchObject({
      view: { id: unassigned },
      groups: [],
      count: 2,
      previous_page: null,
    });
    expect(rows.body.columns).toContainEqual({ id: 'subject', title: 'Subject' });
    expect(rows.body.next_page).toContain(`/api/v2/views/${unassigned}/execute.json?page=2`);
    const [row] = rows.body.rows as Array<{ ticket: Body; subject: string; requester_id: number }>;
    expect(row.subject).toBe(row.ticket.subject);
    expect(['IT nobody', 'HR nobody']).toContain(row.subject);
    expect(row.requester_id).toBe(admin.id);
    const tickets = await call(admin, 'GET', `/api/v2/views/${mine}/tickets.json`);
    expect(tickets.body).toMatchObject({ tickets: [], count: 0 });
    const agentTickets = await call(agent, 'GET', `/api/v2/views/${mine}/tickets.json`);
    expect((agentTickets.body.tickets as Body[]).map((t) => t.subject).sort()).toEqual([
      'HR mine',
      'IT mine',
    ]);
  });

  it('never counts a confidential group’s tickets for admins', async () => {
    const res = await call(admin, 'POST', '/api/v2/views.json', {
      view: {
        title: 'HR',
        all: [{ field: 'group_id', operator: 'is', value: String(hrGroup) }],
        output: { columns: ['subject', 'group'], sort_by: 'id' },
      },
    });
    expect(res.status).toBe(201);
    const view = res.body.view as View;
    expect(view.execution.columns).toEqual([
      { id: 'subject', title: 'Subject' },
      { id: 'group', title: 'Group' },
    ]);
    const count = (who: Caller) => call(who, 'GET', `/api/v2/views/${view.id}/count.json`);
    expect(((await count(admin)).body.view_count as Body).value).toBe(0);
    expect(((await count(light)).body.view_count as Body).value).toBe(0);
    expect(((await count(agent)).body.view_count as Body).value).toBe(2);
    const rows = await call(agent, 'GET', `/api/v2/views/${view.id}/execute.json`);
    expect((rows.body.rows as Body[])[0]).toMatchObject({ group_id: hrGroup });
    expect(await call(admin, 'DELETE', `/api/v2/views/${view.id}.json`)).toMatchObject({
      status: 204,
    });
  });

  it('keeps personal views to their owner; light agents and end-users cannot change views', async () => {
    const personal = {
      view: {
        title: 'Urgent for me',
        restriction: { type: 'User', id: agent.id },
        conditions: { all: [{ field: 'priority', operator: 'is', value: 'urgent' }] },
      },
    };
    const created = await call(agent, 'POST', '/api/v2/views.json', personal);
    expect(created.status).toBe(201);
    const id = (created.body.view as View).id;
    expect((await call(light, 'GET', `/api/v2/views/${id}.json`)).status).toBe(404);
    expect((await call(admin, 'PUT', `/api/v2/views/${id}.json`, personal)).status).toBe(404);
    const renamed = await call(agent, 'PUT', `/api/v2/views/${id}.json`, {
      view: { title: 'Urgent' },
    });
    expect(renamed.body.view).toMatchObject({ title: 'Urgent', restriction: { type: 'User' } });
    expect((await call(light, 'POST', '/api/v2/views.json', personal)).status).toBe(403);
    expect(
      (
        await call(agent, 'POST', '/api/v2/views.json', {
          view: { ...personal.view, restriction: null },
        })
      ).status,
    ).toBe(403);
    expect((await call(endUser, 'GET', '/api/v2/views.json')).status).toBe(403);
    expect((await call(agent, 'DELETE', `/api/v2/views/${id}.json`)).status).toBe(204);
    expect((await call(agent, 'GET', `/api/v2/views/${id}.json`)).status).toBe(404);
  });

  it('answers bad input with 422 details and never a 500', async () => {
    const valid = { all: [{ field: 'status', operator: 'is', value: 'open' }] };
    const cases: Array<[unknown, string]> = [
      [{}, 'view'],
      [{ view: { conditions: valid } }, 'title'],
      [{ view: { title: 'x' } }, 'conditions'],
      [{ view: { title: ' ', conditions: valid } }, 'title'],
      [
        {
          view: {
            title: 'x',
            conditions: { all: [{ field: 'custom_fields_1', operator: 'includes', value: 'a' }] },
          },
        },
        'conditions',
      ],
      [
        {
          view: {
            title: 'x',
            all: [{ field: 'status', operator: 'is', value: "open' OR 1=1 --" }],
          },
        },
        'conditions',
      ],
      [
        { view: { title: 'x', conditions: valid, execution: { sort_by: 'subject; DROP' } } },
        'execution',
      ],
      [
        { view: { title: 'x', conditions: valid, restriction: { type: 'Org', id: 1 } } },
        'restriction',
      ],
      [
        { view: { title: 'x', conditions: valid, restriction: { type: 'Group', id: 999999 } } },
        'restriction',
      ],
      [{ view: { title: 'x', conditions: valid, position: 'first' } }, 'position'],
    ];
    for (const [body, field] of cases) {
      const res = await call(admin, 'POST', '/api/v2/views.json', body);
      expect([res.status, Object.keys((res.body.details as Body | undefined) ?? {})]).toEqual([
        422,
        [field],
      ]);
    }
    for (const query of ['', '?ids=', '?ids=a,b', `?ids=${'1,'.repeat(101)}1`]) {
      expect((await call(agent, 'GET', `/api/v2/views/count_many.json${query}`)).status).toBe(422);
    }
    const pending = defaults.Pending.id;
    expect((await call(admin, 'DELETE', `/api/v2/views/${pending}.json`)).status).toBe(422);
    expect((await call(agent, 'GET', '/api/v2/views/abc.json')).status).toBe(404);
    expect((await call(agent, 'GET', '/api/v2/views/999999/count.json')).status).toBe(404);
    expect((await call(agent, 'GET', `/api/v2/views/${pending}/execute.json?page=0`)).status).toBe(
      422,
    );
    expect((await call(admin, 'POST', '/api/v2/views.json', '{"view":')).status).toBe(400);
  });
});
