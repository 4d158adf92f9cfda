import { type Body, type Caller, useApiHarness } from './testing/api-harness';

interface ZendeskAttachment {
  id: number;
  file_name: string;
  content_url: string;
}

describe('/api/v2/requests: the lists, and files on requests', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let agent: Caller;
  let ann: Caller;

  beforeEach(async () => {
    await api.reset();
    admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    ann = await caller('ann@example.com', 'end-user');
  });

  async function file(who: Caller, subject: string, uploads?: string[]): Promise<number> {
    const res = await call(who, 'POST', '/api/v2/requests.json', {
      request: { subject, comment: { body: `${subject}: details`, uploads } },
    });
    expect([res.status, res.body.error]).toEqual([201, undefined]);
    return (res.body.request as Body).id as number;
  }

  async function ids(who: Caller, path: string): Promise<number[] | number> {
    const res = await call(who, 'GET', path);
    if (res.status !== 200) return res.status;
    return (res.body.requests as Body[]).map((r) => r.id as number);
  }

  async function upload(who: Caller, content: string): Promise<{ token: string; id: number }> {
    const res = await call(who, 'POST', '/api/v2/uploads.json?filename=notes.json', content);
    expect(res.status).toBe(201);
    const body = res.body.upload as Body;
    return { token: body.token as string, id: (body.attachment as Body).id as number };
  }

  /** Acme, for the callers made after it (by their email domain). */
  async function acme(sharing: { shared_tickets: boolean }): Promise<number> {
    const res = await call(admin, 'POST', '/api/v2/organizations.json', {
      organization: { name: 'Acme', domain_names: ['acme.example'], ...sharing },
    });
    expect(res.status).toBe(201);
    return (res.body.organization as Body).id as number;
  }

  it("lists the requests the caller is CC'd on, and only those", async () => {
    const bob = await caller('bob@example.com', 'end-user');
    const copied = await file(bob, 'Printer');
    await file(bob, 'Private');
    const own = await file(ann, 'Mine');
    await call(agent, 'PUT', `/api/v2/tickets/${copied}.json`, {
      ticket: { collaborator_ids: [ann.id] },
    });
    expect(await ids(ann, '/api/v2/requests/ccd.json')).toEqual([copied]);
    expect(await ids(ann, '/api/v2/requests.json')).toEqual([own]);
    expect(await ids(bob, '/api/v2/requests/ccd.json')).toEqual([]);
    // The status filter applies to every list.
    expect(await ids(ann, '/api/v2/requests/ccd.json?status=solved')).toEqual([]);
    expect(await ids(ann, '/api/v2/requests/ccd?status=new')).toEqual([copied]);
  });

  it('lists solved (and closed) and open requests apart, with the status filter', async () => {
    const waiting = await file(ann, 'Waiting');
    const done = await file(ann, 'Done');
    await call(agent, 'PUT', `/api/v2/tickets/${done}.json`, {
      ticket: { status: 'solved', comment: { body: 'Fixed' } },
    });
    await call(agent, 'PUT', `/api/v2/tickets/${waiting}.json`, {
      ticket: { status: 'pending', assignee_id: agent.id, comment: { body: 'Which model?' } },
    });
    expect(await ids(ann, '/api/v2/requests/solved.json')).toEqual([done]);
    expect(await ids(ann, '/api/v2/requests/open.json')).toEqual([waiting]);
    expect(await ids(ann, '/api/v2/requests/open.json?status=pending,solved')).toEqual([waiting]);
    expect(await ids(ann, '/api/v2/requests/open.json?status=solved')).toEqual([]);
    expect(await ids(ann, '/api/v2/requests.json?status=pending,solved')).toEqual([waiting, done]);
    const bad = await call(ann, 'GET', '/api/v2/requests/open.json?status=later');
    expect([bad.status, bad.body.details]).toEqual([422, { status: [expect.anything()] }]);
  });

  it("lists a user's requests: an end-user their own only, staff inside their scope", async () => {
    const bob = await caller('bob@example.com', 'end-user');
    const mine = await file(ann, 'Mine');
    const his = await file(bob, 'His');
    expect(await ids(ann, `/api/v2/users/${ann.id}/requests.json`)).toEqual([mine]);
    expect(await ids(ann, `/api/v2/users/${bob.id}/requests.json`)).toBe(404);
    expect(await ids(ann, '/api/v2/users/999999/requests.json')).toBe(404);
    expect(await ids(admin, `/api/v2/users/${bob.id}/requests.json`)).toEqual([his]);
    expect(await ids(admin, '/api/v2/users/999999/requests.json')).toBe(404);
    // A confidential group's ticket of Bob's stays out of an agent's list who is not a member.
    const hr = await call(admin, 'POST', '/api/v2/groups.json', {
      group: { name: 'HR', confidential: true },
    });
    await call(admin, 'PUT', `/api/v2/tickets/${his}.json`, {
      ticket: { group_id: (hr.body.group as Body).id },
    });
    expect(await ids(agent, `/api/v2/users/${bob.id}/requests.json`)).toEqual([]);
    expect(await ids(bob, `/api/v2/users/${bob.id}/requests`)).toEqual([his]);
  });

  it("lists an organization's requests for its members only when it shares tickets", async () => {
    const org = await acme({ shared_tickets: false });
    const carol = await caller('carol@acme.example', 'end-user');
    const dave = await caller('dave@acme.example', 'end-user');
    const hers = await file(carol, 'Printer');
    const path = `/api/v2/organizations/${org}/requests.json`;
    expect(await ids(dave, path)).toBe(404);
    expect(await ids(admin, path)).toEqual([hers]);
    await call(admin, 'PUT', `/api/v2/organizations/${org}.json`, {
      organization: { shared_tickets: true },
    });
    expect(await ids(dave, path)).toEqual([hers]);
    // Not a member: 404, as for an organization that does not exist.
    expect(await ids(ann, path)).toBe(404);
    expect(await ids(dave, '/api/v2/organizations/999999/requests.json')).toBe(404);
    // A colleague's ticket in a confidential group is never listed for the organization.
    const hr = await call(admin, 'POST', '/api/v2/groups.json', {
      group: { name: 'HR', confidential: true },
    });
    const grievance = await file(carol, 'Grievance');
    await call(admin, 'PUT', `/api/v2/tickets/${grievance}.json`, {
      ticket: { group_id: (hr.body.group as Body).id },
    });
    expect(await ids(dave, path)).toEqual([hers]);
    expect(await ids(carol, `${path}?status=new`)).toEqual([hers]);
  });

  it("attaches an end-user's uploads to their request comments and lists them", async () => {
    const first = await upload(ann, '{"first": true}');
    const id = await file(ann, 'Screen', [first.token]);
    const second = await upload(ann, '{"second": true}');
    const reply = await call(ann, 'PUT', `/api/v2/requests/${id}.json`, {
      request: { comment: { body: 'Another one', uploads: [second.token] } },
    });
    expect(reply.status).toBe(200);
    const comments = await call(ann, 'GET', `/api/v2/requests/${id}/comments.json`);
    const files = (comments.body.comments as Body[]).map((c) =>
      (c.attachments as ZendeskAttachment[]).map((a) => [a.id, a.file_name]),
    );
    expect(files).toEqual([[[first.id, 'notes.json']], [[second.id, 'notes.json']]]);
    const content = (comments.body.comments as Body[])[0].attachments as ZendeskAttachment[];
    expect(content[0].content_url).toBe(
      `${api.config.publicUrl}/api/v2/attachments/${first.id}/download`,
    );
    // Agents see them on the ticket too.
    const ticket = await call(agent, 'GET', `/api/v2/tickets/${id}/comments.json`);
    expect((ticket.body.comments as Body[]).map((c) => (c.attachments as Body[]).length)).toEqual([
      1, 1,
    ]);
  });

  it("refuses someone else's or a used upload token with 422 and keeps nothing", async () => {
    const bob = await caller('bob@example.com', 'end-user');
    const id = await file(ann, 'Screen');
    const his = await upload(bob, '{"his": true}');
    const refused = await call(ann, 'PUT', `/api/v2/requests/${id}.json`, {
      request: { comment: { body: 'With his file', uploads: [his.token] } },
    });
    expect([refused.status, Object.keys(refused.body.details as Body)]).toEqual([422, ['uploads']]);
    const comments = await call(ann, 'GET', `/api/v2/requests/${id}/comments.json`);
    expect(comments.body.count).toBe(1);
    const wrongShape = await call(ann, 'POST', '/api/v2/requests.json', {
      request: { subject: 'x', comment: { body: 'y', uploads: 'abc' } },
    });
    expect([wrongShape.status, Object.keys(wrongShape.body.details as Body)]).toEqual([
      422,
      ['uploads'],
    ]);
  });

  it('lets everyone who sees the request download a public file, and nobody an internal one', async () => {
    const org = await acme({ shared_tickets: true });
    const carol = await caller('carol@acme.example', 'end-user');
    const dave = await caller('dave@acme.example', 'end-user');
    const cc = await caller('cc@example.com', 'end-user');
    const stranger = await caller('stranger@example.com', 'end-user');
    const mine = await upload(carol, '{"public": true}');
    const id = await file(carol, 'Broken screen', [mine.token]);
    await call(agent, 'PUT', `/api/v2/tickets/${id}.json`, {
      ticket: { collaborator_ids: [cc.id] },
    });
    const staffFile = await upload(agent, '{"internal": true}');
    const note = await call(agent, 'PUT', `/api/v2/tickets/${id}.json`, {
      ticket: { comment: { body: 'Serial number', public: false, uploads: [staffFile.token] } },
    });
    expect(note.status).toBe(200);
    const download = async (who: Caller, fileId: number) =>
      (await call(who, 'GET', `/api/v2/attachments/${fileId}/download`)).status;

    for (const who of [carol, cc, dave, agent]) expect(await download(who, mine.id)).toBe(200);
    expect(await download(stranger, mine.id)).toBe(404);
    for (const who of [carol, cc, dave, stranger]) {
      expect(await download(who, staffFile.id)).toBe(404);
      expect((await call(who, 'GET', `/api/v2/attachments/${staffFile.id}.json`)).status).toBe(404);
    }
    expect(await download(agent, staffFile.id)).toBe(200);
    // The internal note is not listed, nor its file.
    const comments = await call(dave, 'GET', `/api/v2/requests/${id}/comments.json`);
    expect(
      (comments.body.comments as Body[]).flatMap((c) =>
        (c.attachments as ZendeskAttachment[]).map((a) => a.id),
      ),
    ).toEqual([mine.id]);

    // When the organization stops sharing, its members lose the file with the request.
    await call(admin, 'PUT', `/api/v2/organizations/${org}.json`, {
      organization: { shared_tickets: false },
    });
    expect(await download(dave, mine.id)).toBe(404);
    expect(await download(cc, mine.id)).toBe(200);
  });

  it("never lets an organization member download a file of a confidential group's ticket", async () => {
    await acme({ shared_tickets: true });
    const carol = await caller('carol@acme.example', 'end-user');
    const dave = await caller('dave@acme.example', 'end-user');
    const mine = await upload(carol, '{"hr": true}');
    const id = await file(carol, 'Grievance', [mine.token]);
    const hr = await call(admin, 'POST', '/api/v2/groups.json', {
      group: { name: 'HR', confidential: true },
    });
    await call(admin, 'PUT', `/api/v2/tickets/${id}.json`, {
      ticket: { group_id: (hr.body.group as Body).id },
    });
    expect((await call(dave, 'GET', `/api/v2/attachments/${mine.id}/download`)).status).toBe(404);
    expect((await call(carol, 'GET', `/api/v2/attachments/${mine.id}/download`)).status).toBe(200);
  });
});
