import { type Body, type Caller, useApiHarness } from './testing/api-harness';

interface ZendeskRequest {
  id: number;
  url: string;
  subject: string;
  description: string;
  status: string;
  requester_id: number;
  organization_id: number | null;
  assignee_id: number | null;
  via: { channel: string };
  is_public: boolean;
  can_be_solved_by_me: boolean;
  solved: boolean;
  collaborator_ids: number[];
  email_cc_ids: number[];
}

describe('/api/v2/requests (end-users vs the Requests API)', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let agent: Caller;
  let ann: Caller;

  beforeEach(async () => {
    await api.reset();
    admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    ann = await caller('ann@acme.example', 'end-user');
  });

  async function file(who: Caller, subject: string): Promise<ZendeskRequest> {
    const res = await call(who, 'POST', '/api/v2/requests.json', {
      request: { subject, comment: { body: 'It drops every hour.' } },
    });
    expect(res.status).toBe(201);
    return res.body.request as ZendeskRequest;
  }

  async function statusOf(who: Caller, id: number): Promise<number> {
    return (await call(who, 'GET', `/api/v2/requests/${id}.json`)).status;
  }

  /** An organization with the email domain of the callers made after it (ann's is made before). */
  async function acme(sharing: { shared_tickets: boolean; shared_comments: boolean }) {
    const res = await call(admin, 'POST', '/api/v2/organizations.json', {
      organization: { name: 'Acme', domain_names: ['acme.example'], ...sharing },
    });
    expect(res.status).toBe(201);
  }

  it('files a request as the caller and shows it in the Zendesk shape', async () => {
    const created = await file(ann, 'VPN down');
    expect(created).toMatchObject({
      subject: 'VPN down',
      description: 'It drops every hour.',
      status: 'new',
      requester_id: ann.id,
      via: { channel: 'api' },
      is_public: true,
      can_be_solved_by_me: false,
      solved: false,
      collaborator_ids: [],
      email_cc_ids: [],
      url: `${api.config.publicUrl}/api/v2/requests/${created.id}.json`,
    });
    expect(Object.keys(created)).not.toEqual(expect.arrayContaining(['tags']));
    const shown = await call(ann, 'GET', `/api/v2/requests/${created.id}`);
    expect(shown.body.request).toEqual(created);
    const list = await call(ann, 'GET', '/api/v2/requests.json');
    expect(list.body).toMatchObject({ count: 1, next_page: null, previous_page: null });
    expect((list.body.requests as Body[]).map((r) => r.id)).toEqual([created.id]);
    // The agents see it as a ticket of Ann's.
    const ticket = await call(agent, 'GET', `/api/v2/tickets/${created.id}.json`);
    expect(ticket.body.ticket).toMatchObject({ requester_id: ann.id, submitter_id: ann.id });
  });

  it("answers 404 for another's request, whichever way it is asked", async () => {
    const bob = await caller('bob@example.com', 'end-user');
    const his = await file(bob, 'His');
    for (const [method, path, body] of [
      ['GET', `/api/v2/requests/${his.id}.json`, undefined],
      ['GET', `/api/v2/requests/${his.id}/comments.json`, undefined],
      ['PUT', `/api/v2/requests/${his.id}.json`, { request: { comment: { body: 'me too' } } }],
      ['PUT', `/api/v2/requests/${his.id}.json`, { request: { solved: true } }],
      ['GET', '/api/v2/requests/999999.json', undefined],
      ['GET', '/api/v2/requests/abc.json', undefined],
    ] as const) {
      const res = await call(ann, method, path, body);
      expect([method, path, res.status, res.body.error]).toEqual([
        method,
        path,
        404,
        'RecordNotFound',
      ]);
    }
    expect((await call(ann, 'GET', '/api/v2/requests.json')).body.count).toBe(0);
    // Nor do the agents' routes open to an end-user.
    expect((await call(ann, 'GET', `/api/v2/tickets/${his.id}.json`)).status).toBe(403);
  });

  it("shows a colleague's request only when the organization shares tickets", async () => {
    await acme({ shared_tickets: false, shared_comments: false });
    const carol = await caller('carol@acme.example', 'end-user');
    const dave = await caller('dave@acme.example', 'end-user');
    const hers = await file(carol, 'Printer');
    expect(hers.organization_id).not.toBeNull();
    expect(await statusOf(dave, hers.id)).toBe(404);
    const org = hers.organization_id;
    await call(admin, 'PUT', `/api/v2/organizations/${org}.json`, {
      organization: { shared_tickets: true },
    });
    expect(await statusOf(dave, hers.id)).toBe(200);
    // Without shared comments a colleague may read but not comment.
    const comment = { request: { comment: { body: 'Ours too' } } };
    const refused = await call(dave, 'PUT', `/api/v2/requests/${hers.id}.json`, comment);
    expect([refused.status, refused.body.error]).toEqual([403, 'Forbidden']);
    await call(admin, 'PUT', `/api/v2/organizations/${org}.json`, {
      organization: { shared_comments: true },
    });
    expect((await call(dave, 'PUT', `/api/v2/requests/${hers.id}.json`, comment)).status).toBe(200);
    // Ann joined no organization (she existed before Acme): she sees none of it.
    expect(await statusOf(ann, hers.id)).toBe(404);
  });

  it('never shows internal notes, in comments, counts or the description', async () => {
    const created = await call(agent, 'POST', '/api/v2/tickets.json', {
      ticket: {
        subject: 'Phone',
        comment: { body: 'Caller was rude', public: false },
        requester_id: ann.id,
      },
    });
    const id = (created.body.ticket as Body).id as number;
    await call(agent, 'PUT', `/api/v2/tickets/${id}.json`, {
      ticket: { comment: { body: 'We are on it.' } },
    });
    await call(agent, 'PUT', `/api/v2/tickets/${id}.json`, {
      ticket: { comment: { body: 'Check the SIM', public: false } },
    });
    const shown = await call(ann, 'GET', `/api/v2/requests/${id}.json`);
    expect(shown.body.request).toMatchObject({ description: 'We are on it.' });
    const comments = await call(ann, 'GET', `/api/v2/requests/${id}/comments.json`);
    expect(comments.body).toMatchObject({ count: 1 });
    expect(comments.body.comments).toEqual([
      expect.objectContaining({
        body: 'We are on it.',
        public: true,
        request_id: id,
        author_id: agent.id,
      }),
    ]);
    expect(JSON.stringify([shown.body, comments.body])).not.toMatch(/rude|SIM/);
  });

  it('lets the requester solve an assigned request, reopens it on a comment, and stops at closed', async () => {
    const request = await file(ann, 'Laptop');
    const path = `/api/v2/requests/${request.id}.json`;
    const early = await call(ann, 'PUT', path, { request: { solved: true } });
    expect([early.status, Object.keys(early.body.details ?? {})]).toEqual([422, ['solved']]);
    await call(agent, 'PUT', `/api/v2/tickets/${request.id}.json`, {
      ticket: { assignee_id: agent.id, status: 'pending', comment: { body: 'Reboot it?' } },
    });
    expect((await call(ann, 'GET', path)).body.request).toMatchObject({
      status: 'pending',
      can_be_solved_by_me: true,
    });
    const solved = await call(ann, 'PUT', path, { request: { solved: true } });
    expect(solved.body.request).toMatchObject({
      status: 'solved',
      solved: true,
      can_be_solved_by_me: false,
    });
    const reopened = await call(ann, 'PUT', path, {
      request: { comment: { body: 'Broke again' } },
    });
    expect(reopened.body.request).toMatchObject({ status: 'open', solved: false });
    await call(ann, 'PUT', path, { request: { solved: true } });
    await call(agent, 'PUT', `/api/v2/tickets/${request.id}.json`, {
      ticket: { status: 'closed' },
    });
    const closed = await call(ann, 'PUT', path, { request: { comment: { body: 'Hello?' } } });
    expect([closed.status, closed.body.error]).toEqual([422, 'RecordInvalid']);
    const comments = await call(ann, 'GET', `${path.replace('.json', '')}/comments.json`);
    expect((comments.body.comments as Body[]).map((c) => c.body)).toEqual([
      'It drops every hour.',
      'Reboot it?',
      'Broke again',
    ]);
  });

  it('lists by status and answers bad input with 422, never a 500', async () => {
    const first = await file(ann, 'One');
    await file(ann, 'Two');
    await call(agent, 'PUT', `/api/v2/tickets/${first.id}.json`, {
      ticket: { assignee_id: agent.id },
    });
    const open = await call(ann, 'GET', '/api/v2/requests.json?status=open,pending');
    expect((open.body.requests as Body[]).map((r) => r.id)).toEqual([first.id]);
    const sorted = await call(
      ann,
      'GET',
      '/api/v2/requests.json?sort_by=updated_at&sort_order=desc',
    );
    expect((sorted.body.requests as Body[]).map((r) => r.subject)).toEqual(['One', 'Two']);
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/api/v2/requests.json', {}, 'request'],
      ['POST', '/api/v2/requests.json', { request: { subject: 'x' } }, 'comment'],
      ['POST', '/api/v2/requests.json', { request: { comment: 'text' } }, 'comment'],
      [
        'POST',
        '/api/v2/requests.json',
        { request: { comment: { body: 'x', public: false } } },
        'public',
      ],
      ['POST', '/api/v2/requests.json', { request: { comment: { body: ' ' } } }, 'comment'],
      ['PUT', `/api/v2/requests/${first.id}.json`, { request: {} }, 'request'],
      ['PUT', `/api/v2/requests/${first.id}.json`, { request: { solved: 'yes' } }, 'solved'],
      ['GET', '/api/v2/requests.json?status=finished', undefined, 'status'],
      ['GET', '/api/v2/requests.json?sort_by=priority', undefined, 'sort_by'],
      ['GET', '/api/v2/requests.json?per_page=0', undefined, 'per_page'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await call(ann, method, path, body);
      expect([path, res.status, Object.keys(res.body.details ?? {})]).toEqual([path, 422, [field]]);
    }
    const notJson = await call(ann, 'POST', '/api/v2/requests.json', '{"request":');
    expect(notJson.status).toBe(400);
  });

  it('is open to agents too, for their own requests only', async () => {
    const theirs = await file(agent, 'My monitor');
    expect(theirs.requester_id).toBe(agent.id);
    const annS = await file(ann, 'Ann’s');
    // The agent sees Ann's ticket through the tickets API, but it is not their request.
    expect(await statusOf(agent, annS.id)).toBe(404);
    expect((await call(admin, 'GET', '/api/v2/requests.json')).body.count).toBe(0);
  });
});
