import { GroupMembershipService, GroupService, SYSTEM_ACTOR } from '@steward/identity';
import { Database } from '@steward/persistence';
import { TicketEntity } from '@steward/tickets';
import { type Caller, useApiHarness } from './testing/api-harness';

interface Ticket {
  id: number;
  status: string;
  subject: string;
  description: string;
  requester_id: number;
  assignee_id: number | null;
  group_id: number | null;
  tags: string[];
  via: { channel: string };
  url: string;
}

describe('/api/v2/tickets', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let agent: Caller;
  let endUser: Caller;
  let itGroup: number;

  async function group(name: string, confidential = false): Promise<number> {
    return (await api.app.get(GroupService).create({ name, confidential }, SYSTEM_ACTOR)).id;
  }

  async function join(who: Caller, groupId: number): Promise<void> {
    await api.app.get(GroupMembershipService).create({ userId: who.id, groupId }, SYSTEM_ACTOR);
  }

  async function create(who: Caller, ticket: Record<string, unknown>): Promise<Ticket> {
    const res = await call(who, 'POST', '/api/v2/tickets.json', { ticket });
    expect(res.status).toBe(201);
    return res.body.ticket as Ticket;
  }

  beforeEach(async () => {
    await api.reset();
    admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    endUser = await caller('eve@example.com', 'end-user');
    itGroup = await group('IT');
    await join(agent, itGroup);
  });

  it('creates a ticket and its requester the Zendesk way', async () => {
    const org = await call(admin, 'POST', '/api/v2/organizations.json', {
      organization: { name: 'Acme', domain_names: ['acme.example'] },
    });
    const res = await call(agent, 'POST', '/api/v2/tickets.json', {
      ticket: {
        subject: 'VPN down',
        comment: { body: 'It drops every hour.' },
        requester: { name: 'Ann', email: 'ann@acme.example' },
        group_id: itGroup,
        tags: ['vpn'],
      },
    });
    expect(res.status).toBe(201);
    const ticket = res.body.ticket as Ticket;
    expect(ticket).toMatchObject({
      subject: 'VPN down',
      description: 'It drops every hour.',
      status: 'new',
      group_id: itGroup,
      tags: ['vpn'],
      organization_id: (org.body.organization as { id: number }).id,
      via: { channel: 'api' },
      url: `${api.config.publicUrl}/api/v2/tickets/${ticket.id}.json`,
    });
    const requester = await call(admin, 'GET', `/api/v2/users/${ticket.requester_id}.json`);
    expect(requester.body.user).toMatchObject({
      name: 'Ann',
      email: 'ann@acme.example',
      role: 'end-user',
    });
    const shown = await call(agent, 'GET', `/api/v2/tickets/${ticket.id}.json`);
    expect(shown.status).toBe(200);
    expect(shown.body.ticket).toEqual(ticket);
  });

  it('answers bad input with 422 details and never a 500', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'ticket'],
      [{ ticket: { subject: 'x' } }, 'comment'],
      [{ ticket: { comment: { body: 'x' }, status: 'finished' } }, 'status'],
      [{ ticket: { comment: { body: 'x' }, priority: 7 } }, 'priority'],
      [{ ticket: { comment: { body: 'x' }, assignee_id: 'me' } }, 'assignee_id'],
      [{ ticket: { comment: { body: 'x' }, tags: ['<b>'] } }, 'tags'],
      [{ ticket: { comment: { body: 'x' }, due_at: 'tomorrow' } }, 'due_at'],
      [{ ticket: { comment: { body: 'x' }, group_id: 999999 } }, 'group_id'],
      [{ ticket: { comment: { body: 'x'.repeat(70_000) } } }, 'body'],
      [{ ticket: { comment: 'plain string' } }, 'comment'],
      [{ ticket: { comment: { body: 'x', author_id: 999999 } } }, 'author_id'],
      [{ ticket: { comment: { body: 'x' }, requester_id: 999999 } }, 'requester_id'],
      [{ ticket: { comment: { body: 'x' }, collaborator_ids: [999999] } }, 'collaborator_ids'],
      [{ ticket: { comment: { body: 'x' }, problem_id: 1 } }, 'problem_id'],
      [
        { ticket: { comment: { body: 'x' }, type: 'task', due_at: null, external_id: 'a\u202eb' } },
        'external_id',
      ],
    ];
    for (const [body, field] of cases) {
      const res = await call(agent, 'POST', '/api/v2/tickets.json', body);
      expect([res.status, Object.keys(res.body.details ?? {})]).toEqual([422, [field]]);
    }
    const notJson = await call(agent, 'POST', '/api/v2/tickets.json', '{"ticket":');
    expect(notJson.status).toBe(400);
  });

  it('updates fields and adds comments; lists comments and audits', async () => {
    const ticket = await create(agent, {
      subject: 'Printer',
      comment: { body: 'jammed' },
      group_id: itGroup,
    });
    const res = await call(agent, 'PUT', `/api/v2/tickets/${ticket.id}.json`, {
      ticket: {
        status: 'pending',
        assignee_id: agent.id,
        comment: { body: 'Ordered a part', public: false },
        additional_tags: ['hardware'],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.ticket).toMatchObject({
      status: 'pending',
      assignee_id: agent.id,
      tags: ['hardware'],
    });
    const comments = await call(agent, 'GET', `/api/v2/tickets/${ticket.id}/comments.json`);
    expect(comments.body).toMatchObject({ count: 2, next_page: null });
    expect(
      (comments.body.comments as Array<Record<string, unknown>>).map((c) => [c.body, c.public]),
    ).toEqual([
      ['jammed', true],
      ['Ordered a part', false],
    ]);
    const audits = await call(agent, 'GET', `/api/v2/tickets/${ticket.id}/audits.json`);
    const second = (audits.body.audits as Array<{ events: Array<Record<string, unknown>> }>)[1];
    expect(second.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'Change',
          field_name: 'status',
          value: 'pending',
          previous_value: 'new',
        }),
        expect.objectContaining({ type: 'Comment' }),
      ]),
    );
  });

  it('hides a confidential group’s tickets behind 404s, even from admins without break-glass', async () => {
    const hr = await group('HR', true);
    const hrAgent = await caller('hr@example.com', 'agent');
    await join(hrAgent, hr);
    const secret = await create(hrAgent, {
      subject: 'Grievance',
      comment: { body: 'private' },
      group_id: hr,
    });
    for (const who of [agent, admin]) {
      expect((await call(who, 'GET', `/api/v2/tickets/${secret.id}.json`)).status).toBe(404);
      expect((await call(who, 'GET', `/api/v2/tickets/${secret.id}/comments.json`)).status).toBe(
        404,
      );
      expect((await call(who, 'GET', `/api/v2/tickets/${secret.id}/audits.json`)).status).toBe(404);
      const update = await call(who, 'PUT', `/api/v2/tickets/${secret.id}.json`, {
        ticket: { comment: { body: 'peek', public: false } },
      });
      expect(update.status).toBe(404);
      const list = await call(who, 'GET', '/api/v2/tickets.json');
      expect(list.body.count).toBe(0);
      const many = await call(who, 'GET', `/api/v2/tickets/show_many.json?ids=${secret.id}`);
      expect(many.body.tickets).toEqual([]);
    }
    expect((await call(hrAgent, 'GET', `/api/v2/tickets/${secret.id}.json`)).status).toBe(200);
    expect((await call(admin, 'DELETE', `/api/v2/tickets/${secret.id}.json`)).status).toBe(404);
  });

  it('keeps end-users and anonymous callers out of the agents’ ticket API', async () => {
    const ticket = await create(agent, {
      subject: 'Mine',
      comment: { body: 'x' },
      requester_id: endUser.id,
    });
    expect((await call(endUser, 'GET', '/api/v2/tickets.json')).status).toBe(403);
    expect((await call(endUser, 'GET', `/api/v2/tickets/${ticket.id}.json`)).status).toBe(403);
    expect(
      (await call(endUser, 'POST', '/api/v2/tickets.json', { ticket: { comment: { body: 'x' } } }))
        .status,
    ).toBe(403);
    const anonymous = { id: 0, auth: '' };
    expect((await call(anonymous, 'GET', '/api/v2/tickets.json')).status).toBe(401);
  });

  it('takes a safe update with the updated_at it showed, and refuses it once someone changed the ticket', async () => {
    const ticket = await create(agent, { subject: 'Printer', comment: { body: 'Jammed' } });
    // A time with milliseconds, as stored; the API shows it to the second.
    await api.app
      .get(Database)
      .run((m) =>
        m.update(
          TicketEntity,
          { id: ticket.id },
          { updatedAt: new Date('2026-03-01T10:00:00.789Z') },
        ),
      );
    const shown = await call(agent, 'GET', `/api/v2/tickets/${ticket.id}.json`);
    const stamp = (shown.body.ticket as { updated_at: string }).updated_at;
    expect(stamp).toBe('2026-03-01T10:00:00Z');
    const safe = (priority: string) => ({
      ticket: { priority, safe_update: true, updated_stamp: stamp },
    });
    const first = await call(agent, 'PUT', `/api/v2/tickets/${ticket.id}.json`, safe('high'));
    expect(first.status).toBe(200);
    const stale = await call(agent, 'PUT', `/api/v2/tickets/${ticket.id}.json`, safe('low'));
    expect(stale.status).toBe(409);
    const now = await call(agent, 'GET', `/api/v2/tickets/${ticket.id}.json`);
    expect(now.body.ticket).toMatchObject({ priority: 'high' });
  });

  it('deletes tickets for admins only, after which they are gone from every read', async () => {
    const ticket = await create(agent, {
      subject: 'Old',
      comment: { body: 'x' },
      group_id: itGroup,
    });
    expect((await call(agent, 'DELETE', `/api/v2/tickets/${ticket.id}.json`)).status).toBe(403);
    expect((await call(admin, 'DELETE', `/api/v2/tickets/${ticket.id}.json`)).status).toBe(204);
    expect((await call(agent, 'GET', `/api/v2/tickets/${ticket.id}.json`)).status).toBe(404);
    expect((await call(admin, 'GET', '/api/v2/tickets.json')).body.count).toBe(0);
  });

  it('pages and sorts like Zendesk, and refuses unknown sorts', async () => {
    for (const subject of ['a', 'b', 'c']) {
      await create(agent, { subject, comment: { body: subject }, group_id: itGroup });
    }
    const first = await call(
      agent,
      'GET',
      '/api/v2/tickets.json?per_page=2&sort_by=created_at&sort_order=desc',
    );
    expect((first.body.tickets as Ticket[]).map((t) => t.subject)).toEqual(['c', 'b']);
    expect(first.body.next_page).toBe(
      `${api.config.publicUrl}/api/v2/tickets.json?page=2&per_page=2&sort_by=created_at&sort_order=desc`,
    );
    expect((await call(agent, 'GET', '/api/v2/tickets.json?sort_by=subject;drop')).status).toBe(
      422,
    );
    const requested = await call(admin, 'GET', `/api/v2/users/${agent.id}/tickets/requested.json`);
    expect(requested.body.count).toBe(3);
  });
});
