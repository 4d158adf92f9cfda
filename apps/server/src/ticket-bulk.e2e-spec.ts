import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLogger, loadTestEnvironment, STEWARD_SECRETS } from '@steward/platform';
import { StewardCoreModule } from '@steward/runtime';
import { DataSource } from 'typeorm';
import { type Body, type Caller, useApiHarness } from './testing/api-harness';

/**
 * Bulk ticket work through HTTP: create_many, update_many, destroy_many and merge answer with a
 * queued job status, and the job does the work as the caller. In the production shape the
 * server only produces jobs; a worker (the core module consuming from BullMQ) runs them.
 */
const api = useApiHarness();
let worker: INestApplicationContext | undefined;

beforeAll(async () => {
  if (loadTestEnvironment().shape !== 'production') return;
  worker = await NestFactory.createApplicationContext(
    StewardCoreModule.forRoot({
      config: api.config,
      secrets: api.app.get(STEWARD_SECRETS),
      logger: createLogger('warn', api.logs),
      consumeJobs: true,
    }),
    { logger: false },
  );
  await worker.init();
});

afterAll(async () => {
  await worker?.close();
});

const POLL_DEADLINE_MS = 30_000;

/** Polls the job status until it ends (bounded); the final status. */
async function finished(who: Caller, jobStatus: Body): Promise<Body> {
  const deadline = Date.now() + POLL_DEADLINE_MS;
  for (;;) {
    const res = await api.call(who, 'GET', `/api/v2/job_statuses/${String(jobStatus.id)}.json`);
    expect(res.status).toBe(200);
    const status = res.body.job_status as Body;
    if (status.status === 'completed' || status.status === 'failed') return status;
    if (Date.now() > deadline) throw new Error(`job ${String(jobStatus.id)} did not finish`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function accepted(res: { status: number; body: Body }): Body {
  expect([res.status, res.body]).toEqual([
    200,
    { job_status: expect.objectContaining({ status: 'queued' }) as unknown },
  ]);
  return res.body.job_status as Body;
}

describe('bulk ticket work and job statuses', () => {
  let admin: Caller;
  let agent: Caller;
  let outsider: Caller;
  let itGroup: number;
  let hr: number;

  beforeEach(async () => {
    await api.reset();
    admin = await api.caller('admin@example.com', 'admin');
    agent = await api.caller('agent@example.com', 'agent');
    outsider = await api.caller('outsider@example.com', 'agent');
    itGroup = await created('/api/v2/groups.json', 'group', { group: { name: 'IT' } });
    hr = await created('/api/v2/groups.json', 'group', {
      group: { name: 'HR', confidential: true },
    });
    for (const [user, group] of [
      [agent.id, itGroup],
      [agent.id, hr],
      [outsider.id, itGroup],
    ]) {
      await created('/api/v2/group_memberships.json', 'group_membership', {
        group_membership: { user_id: user, group_id: group },
      });
    }
  });

  async function created(path: string, key: string, body: Body): Promise<number> {
    const res = await api.call(admin, 'POST', path, body);
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return Number((res.body[key] as Body).id);
  }

  async function ticket(fields: Body): Promise<number> {
    return created('/api/v2/tickets.json', 'ticket', {
      ticket: { comment: { body: 'first' }, group_id: itGroup, ...fields },
    });
  }

  async function show(id: number, who: Caller = admin): Promise<Body> {
    const res = await api.call(who, 'GET', `/api/v2/tickets/${id}.json`);
    expect(res.status).toBe(200);
    return res.body.ticket as Body;
  }

  it('creates 100 tickets in a job, each with its audit, and reports each one', async () => {
    const tickets = Array.from({ length: 100 }, (_, i) => ({
      subject: `Bulk ${i}`,
      comment: { body: `Item ${i}` },
      requester: { email: `requester${i % 10}@example.com`, name: `Requester ${i % 10}` },
      group_id: itGroup,
      tags: ['bulk'],
    }));
    const queued = accepted(
      await api.call(agent, 'POST', '/api/v2/tickets/create_many.json', { tickets }),
    );
    expect(queued).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown,
      url: `${api.config.publicUrl}/api/v2/job_statuses/${String(queued.id)}.json`,
      total: 100,
    });
    const done = await finished(agent, queued);
    const results = done.results as Body[];
    expect(done).toMatchObject({ status: 'completed', total: 100, progress: 100 });
    expect(results.map((r) => [r.index, r.action, r.success, r.status])).toEqual(
      tickets.map((_, i) => [i, 'create', true, 'Created']),
    );
    const ids = results.map((r) => Number(r.id));
    expect(new Set(ids).size).toBe(100);
    const db = api.app.get(DataSource);
    const marks = ids.map(() => '?').join(', ');
    const [row] = await db.query<{ tickets: number | string; audited: number | string }[]>(
      `SELECT (SELECT COUNT(*) FROM tickets WHERE id IN (${marks}) AND subject LIKE 'Bulk %') AS tickets,
              (SELECT COUNT(DISTINCT ticket_id) FROM ticket_audits WHERE ticket_id IN (${marks})) AS audited`,
      [...ids, ...ids],
    );
    expect([Number(row.tickets), Number(row.audited)]).toEqual([100, 100]);
    expect(await show(ids[42])).toMatchObject({
      subject: 'Bulk 42',
      description: 'Item 42',
      submitter_id: agent.id,
      group_id: itGroup,
      tags: ['bulk'],
    });
    // The items are gone from the row once the job is done.
    const [stored] = await db.query<{ payload: unknown }[]>(
      'SELECT payload FROM job_statuses WHERE token = ?',
      [queued.id],
    );
    expect(stored.payload).toBeNull();
  });

  it('reports the items the rules refuse by index, and creates the others', async () => {
    const queued = accepted(
      await api.call(agent, 'POST', '/api/v2/tickets/create_many.json', {
        tickets: [
          { subject: 'Good', comment: { body: 'fine' } },
          { subject: 'No comment' },
          { subject: 'Bad group', comment: { body: 'x' }, group_id: 999_999 },
          { subject: 'Also good', comment: { body: 'fine' } },
        ],
      }),
    );
    const done = await finished(agent, queued);
    expect(done).toMatchObject({ status: 'completed', progress: 4 });
    expect(done.results).toEqual([
      {
        index: 0,
        id: expect.any(Number) as unknown,
        action: 'create',
        success: true,
        status: 'Created',
      },
      {
        index: 1,
        action: 'create',
        success: false,
        status: 'Failed',
        errors: 'RecordInvalid',
        details: expect.stringContaining('comment') as unknown,
      },
      {
        index: 2,
        action: 'create',
        success: false,
        status: 'Failed',
        errors: 'RecordInvalid',
        details: 'group_id: is not a group',
      },
      {
        index: 3,
        id: expect.any(Number) as unknown,
        action: 'create',
        success: true,
        status: 'Created',
      },
    ]);
    const list = await api.call(admin, 'GET', '/api/v2/tickets.json');
    expect((list.body.tickets as Body[]).map((t) => t.subject).sort()).toEqual([
      'Also good',
      'Good',
    ]);
  });

  it('refuses a malformed batch at once, naming the bad item, and queues nothing', async () => {
    const one = { subject: 's', comment: { body: 'b' } };
    const cases: Array<[string, unknown, string]> = [
      ['101 items', { tickets: Array.from({ length: 101 }, () => one) }, 'tickets'],
      ['no list', { tickets: one }, 'tickets'],
      ['an empty list', { tickets: [] }, 'tickets'],
      ['a string item', { tickets: [one, 'ticket'] }, 'tickets[1]'],
      ['a wrong type', { tickets: [one, { ...one, priority: 5 }] }, 'tickets[1].priority'],
      [
        'a bad id list',
        { tickets: [{ ...one, collaborator_ids: ['x'] }] },
        'tickets[0].collaborator_ids',
      ],
    ];
    for (const [name, body, field] of cases) {
      const res = await api.call(agent, 'POST', '/api/v2/tickets/create_many.json', body);
      expect([name, res.status, Object.keys((res.body.details as Body) ?? {})]).toEqual([
        name,
        422,
        [field],
      ]);
    }
    const malformed = await api.call(
      agent,
      'POST',
      '/api/v2/tickets/create_many.json',
      '{"tickets": [',
    );
    expect(malformed.status).toBe(400);
    const light = await api.caller('light@example.com', 'light-agent');
    expect(
      (await api.call(light, 'POST', '/api/v2/tickets/create_many.json', { tickets: [one] }))
        .status,
    ).toBe(403);
    const mine = await api.call(agent, 'GET', '/api/v2/job_statuses.json');
    expect(mine.body).toEqual({ job_statuses: [] });
  });

  it('updates tickets with one change for ?ids= and with a change per ticket', async () => {
    const [a, b, c] = [
      await ticket({ subject: 'A' }),
      await ticket({ subject: 'B' }),
      await ticket({ subject: 'C' }),
    ];
    const same = accepted(
      await api.call(agent, 'PUT', `/api/v2/tickets/update_many.json?ids=${a},${b}`, {
        ticket: {
          priority: 'high',
          additional_tags: ['triaged'],
          comment: { body: 'Looking', public: false },
        },
      }),
    );
    expect((await finished(agent, same)).results).toEqual([
      { index: 0, id: a, action: 'update', success: true, status: 'Updated' },
      { index: 1, id: b, action: 'update', success: true, status: 'Updated' },
    ]);
    for (const id of [a, b]) {
      expect(await show(id)).toMatchObject({ priority: 'high', tags: ['triaged'] });
    }
    expect(await show(c)).toMatchObject({ priority: null });
    const each = accepted(
      await api.call(agent, 'PUT', '/api/v2/tickets/update_many.json', {
        tickets: [
          { id: a, status: 'pending', assignee_id: agent.id },
          { id: c, subject: 'C, renamed' },
          { id: b, status: 'nonsense' },
        ],
      }),
    );
    const done = await finished(agent, each);
    expect(done.results).toEqual([
      { index: 0, id: a, action: 'update', success: true, status: 'Updated' },
      { index: 1, id: c, action: 'update', success: true, status: 'Updated' },
      expect.objectContaining({ index: 2, id: b, success: false, errors: 'RecordInvalid' }),
    ]);
    expect(await show(a)).toMatchObject({ status: 'pending', assignee_id: agent.id });
    expect(await show(c)).toMatchObject({ subject: 'C, renamed' });
    const audits = await api.call(admin, 'GET', `/api/v2/tickets/${a}/audits.json`);
    const changes = (audits.body.audits as Body[]).map((audit) =>
      (audit.events as Body[]).map((e) => [e.type, e.field_name ?? null]),
    );
    expect(changes).toEqual([
      expect.anything(),
      expect.arrayContaining([
        ['Comment', null],
        ['Change', 'priority'],
        ['Change', 'tags'],
      ]),
      expect.arrayContaining([
        ['Change', 'status'],
        ['Change', 'assignee_id'],
      ]),
    ]);
  });

  it('reports a confidential ticket the caller cannot see as not found, and leaves it alone', async () => {
    const open = await ticket({ subject: 'Printer' });
    const secret = await ticket({ subject: 'Grievance', group_id: hr });
    const queued = accepted(
      await api.call(outsider, 'PUT', `/api/v2/tickets/update_many.json?ids=${open},${secret}`, {
        ticket: { priority: 'urgent' },
      }),
    );
    expect((await finished(outsider, queued)).results).toEqual([
      { index: 0, id: open, action: 'update', success: true, status: 'Updated' },
      {
        index: 1,
        id: secret,
        action: 'update',
        success: false,
        status: 'Failed',
        errors: 'TicketNotFound',
        details: 'Not found',
      },
    ]);
    expect(await show(secret, agent)).toMatchObject({ priority: null });
    const audits = await api.call(agent, 'GET', `/api/v2/tickets/${secret}/audits.json`);
    expect(audits.body.audits).toHaveLength(1);
  });

  it('refuses malformed update_many and destroy_many requests with 422', async () => {
    const id = await ticket({ subject: 'A' });
    const cases: Array<[string, string, unknown, string]> = [
      ['ids without a ticket', `?ids=${id}`, { tickets: [] }, 'ticket'],
      ['a bad id in the list', '', { tickets: [{ id: 'x', status: 'open' }] }, 'tickets[0].id'],
      ['a ticket twice', '', { tickets: [{ id }, { id }] }, 'tickets'],
      [
        '101 ids',
        `?ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`,
        { ticket: {} },
        'ids',
      ],
      ['a wrong type', '', { tickets: [{ id, tags: 'x' }] }, 'tickets[0].tags'],
    ];
    for (const [name, query, body, field] of cases) {
      const res = await api.call(agent, 'PUT', `/api/v2/tickets/update_many.json${query}`, body);
      expect([name, res.status, Object.keys((res.body.details as Body) ?? {})]).toEqual([
        name,
        422,
        [field],
      ]);
    }
    const noIds = await api.call(admin, 'DELETE', '/api/v2/tickets/destroy_many.json');
    expect(noIds.status).toBe(422);
  });

  it('deletes tickets in a job for admins only', async () => {
    const [a, b] = [await ticket({ subject: 'A' }), await ticket({ subject: 'B' })];
    const refused = await api.call(
      agent,
      'DELETE',
      `/api/v2/tickets/destroy_many.json?ids=${a},${b}`,
    );
    expect(refused.status).toBe(403);
    const queued = accepted(
      await api.call(admin, 'DELETE', `/api/v2/tickets/destroy_many.json?ids=${a},${b},999999`),
    );
    expect((await finished(admin, queued)).results).toEqual([
      { index: 0, id: a, action: 'delete', success: true, status: 'Deleted' },
      { index: 1, id: b, action: 'delete', success: true, status: 'Deleted' },
      expect.objectContaining({ index: 2, id: 999999, success: false, errors: 'TicketNotFound' }),
    ]);
    expect((await api.call(admin, 'GET', `/api/v2/tickets/${a}.json`)).status).toBe(404);
  });

  it('merges tickets: sources closed with a comment, the target commented with their people as CCs', async () => {
    const requester = await api.caller('ann@example.com', 'end-user');
    const cc = await api.caller('carl@example.com', 'end-user');
    const target = await ticket({ subject: 'Target' });
    const first = await ticket({
      subject: 'Dup 1',
      requester_id: requester.id,
      collaborator_ids: [cc.id],
    });
    const second = await ticket({ subject: 'Dup 2', status: 'pending' });
    const queued = accepted(
      await api.call(agent, 'POST', `/api/v2/tickets/${target}/merge.json`, {
        ids: [first, second],
        source_comment: 'Closing: duplicate',
        target_comment_is_public: false,
      }),
    );
    const done = await finished(agent, queued);
    expect(done).toMatchObject({ status: 'completed', total: 3, progress: 3 });
    expect(done.results).toEqual([
      { index: 0, id: first, action: 'merge', success: true, status: 'Merged' },
      { index: 1, id: second, action: 'merge', success: true, status: 'Merged' },
      { index: 2, id: target, action: 'update', success: true, status: 'Updated' },
    ]);
    for (const id of [first, second]) {
      const source = await show(id);
      expect(source).toMatchObject({ status: 'closed', tags: ['closed_by_merge'] });
      const comments = await api.call(admin, 'GET', `/api/v2/tickets/${id}/comments.json`);
      expect((comments.body.comments as Body[]).at(-1)).toMatchObject({
        body: 'Closing: duplicate',
        author_id: agent.id,
      });
      const audits = await api.call(admin, 'GET', `/api/v2/tickets/${id}/audits.json`);
      const last = (audits.body.audits as Body[]).at(-1) as Body;
      expect(last.author_id).toBe(agent.id);
      expect(
        (last.events as Body[]).map((e) => [e.type, e.field_name ?? null, e.value ?? null]),
      ).toEqual([
        ['Comment', null, null],
        ['Change', 'status', 'closed'],
        ['Change', 'tags', ['closed_by_merge']],
      ]);
    }
    const merged = await show(target);
    expect(merged.status).not.toBe('closed');
    // The second source's requester is the target's (the admin): not a CC of their own ticket.
    expect([...(merged.collaborator_ids as number[])].sort((x, y) => x - y)).toEqual(
      [requester.id, cc.id].sort((x, y) => x - y),
    );
    const comments = await api.call(admin, 'GET', `/api/v2/tickets/${target}/comments.json`);
    expect((comments.body.comments as Body[]).at(-1)).toMatchObject({
      body: `Tickets #${first}, #${second} were closed and merged into this ticket.`,
      public: false,
    });
  });

  it('refuses a merge it can check at once with 404 or 422', async () => {
    const target = await ticket({ subject: 'Target' });
    const source = await ticket({ subject: 'Source' });
    const secret = await ticket({ subject: 'Secret', group_id: hr });
    const closed = await ticket({ subject: 'Closed' });
    await api.app
      .get(DataSource)
      .query("UPDATE tickets SET status = 'closed' WHERE id = ?", [closed]);
    const cases: Array<[string, number, unknown, number]> = [
      ['no ids', target, {}, 422],
      ['ids not a list', target, { ids: source }, 422],
      ['six sources', target, { ids: [1, 2, 3, 4, 5, 6] }, 422],
      ['itself', target, { ids: [target] }, 422],
      ['a ticket the caller cannot see', target, { ids: [secret] }, 422],
      ['a closed source', target, { ids: [closed] }, 422],
      ['into a closed ticket', closed, { ids: [source] }, 422],
      ['into a ticket the caller cannot see', secret, { ids: [source] }, 404],
      ['a wrong flag', target, { ids: [source], source_comment_is_public: 'yes' }, 422],
    ];
    for (const [name, into, body, status] of cases) {
      const res = await api.call(outsider, 'POST', `/api/v2/tickets/${into}/merge.json`, body);
      expect([name, res.status]).toEqual([name, status]);
    }
    expect(await show(source)).toMatchObject({ status: 'new' });
  });

  it("shows a job status to its owner and admins only; anyone else's is not found", async () => {
    const queued = accepted(
      await api.call(agent, 'POST', '/api/v2/tickets/create_many.json', {
        tickets: [{ subject: 'Mine', comment: { body: 'x' } }],
      }),
    );
    await finished(agent, queued);
    const path = `/api/v2/job_statuses/${String(queued.id)}.json`;
    expect((await api.call(outsider, 'GET', path)).status).toBe(404);
    expect((await api.call(admin, 'GET', path)).status).toBe(200);
    expect((await api.call(outsider, 'GET', '/api/v2/job_statuses/not-an-id.json')).status).toBe(
      404,
    );
    const many = `/api/v2/job_statuses/show_many.json?ids=${String(queued.id)}`;
    expect((await api.call(outsider, 'GET', many)).body).toEqual({ job_statuses: [] });
    expect(
      ((await api.call(agent, 'GET', many)).body.job_statuses as Body[]).map((j) => j.id),
    ).toEqual([queued.id]);
    expect((await api.call(agent, 'GET', '/api/v2/job_statuses/show_many.json?ids=x')).status).toBe(
      422,
    );
    expect((await api.call(outsider, 'GET', '/api/v2/job_statuses.json')).body).toEqual({
      job_statuses: [],
    });
    const mine = await api.call(agent, 'GET', '/api/v2/job_statuses.json');
    expect((mine.body.job_statuses as Body[]).map((j) => [j.id, j.status])).toEqual([
      [queued.id, 'completed'],
    ]);
  });
});
