import { GroupMembershipService, GroupService, SYSTEM_ACTOR } from '@steward/identity';
import { DomainEvents } from '@steward/persistence';
import { BlobStore } from '@steward/storage';
import { TicketAttachmentEntity } from '@steward/tickets';
import { DataSource } from 'typeorm';
import { type Body, type Caller, useApiHarness } from './testing/api-harness';

interface Comment {
  id: number;
  body: string;
  html_body: string;
  public: boolean;
  attachments: Array<{ id: number; file_name: string; size: number }>;
}

interface AuditEvent {
  type: string;
  comment_id?: number;
  attachment_id?: number;
  public?: boolean;
}

describe('/api/v2 comment redaction, make_private, related and incidents', () => {
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

  async function ticket(who: Caller, fields: Body): Promise<number> {
    const res = await call(who, 'POST', '/api/v2/tickets.json', {
      ticket: { subject: 'Access', group_id: itGroup, requester_id: requester.id, ...fields },
    });
    expect(res.status).toBe(201);
    return (res.body.ticket as { id: number }).id;
  }

  async function comments(ticketId: number): Promise<Comment[]> {
    const res = await call(agent, 'GET', `/api/v2/tickets/${ticketId}/comments.json`);
    expect(res.status).toBe(200);
    return res.body.comments as Comment[];
  }

  async function auditEvents(ticketId: number): Promise<AuditEvent[]> {
    const res = await call(agent, 'GET', `/api/v2/tickets/${ticketId}/audits.json`);
    return (res.body.audits as Array<{ events: AuditEvent[] }>).flatMap((a) => a.events);
  }

  beforeEach(async () => {
    await api.app.get(DomainEvents).settled();
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
    await join(hrAgent, itGroup);
    await join(hrAgent, hr);
  });

  it('redacts a string from the comment, its search and its audits show only the redaction', async () => {
    const id = await ticket(agent, {
      comment: { html_body: '<p>My password is <b>Hunter2x</b>; again Hunter2x</p>' },
    });
    const [comment] = await comments(id);

    const res = await call(
      agent,
      'PUT',
      `/api/v2/tickets/${id}/comments/${comment.id}/redact.json`,
      {
        text: 'Hunter2x',
      },
    );

    expect(res.status).toBe(200);
    const redacted = res.body.comment as Comment;
    expect(redacted.body).toBe('My password is ▇▇▇▇▇▇▇▇; again ▇▇▇▇▇▇▇▇');
    expect(redacted.html_body).toBe('<p>My password is <b>▇▇▇▇▇▇▇▇</b>; again ▇▇▇▇▇▇▇▇</p>');
    expect(JSON.stringify(await comments(id))).not.toContain('Hunter2x');
    await api.app.get(DomainEvents).settled();
    const search = await call(agent, 'GET', '/api/v2/search.json?query=Hunter2x');
    expect(search.body.count).toBe(0);
    const audits = await call(agent, 'GET', `/api/v2/tickets/${id}/audits.json`);
    expect(JSON.stringify(audits.body)).not.toContain('Hunter2x');
    expect(await auditEvents(id)).toContainEqual(
      expect.objectContaining({ type: 'CommentRedactionEvent', comment_id: comment.id }),
    );
  });

  it('takes Zendesk’s comment_redactions form with <redact> marks', async () => {
    const id = await ticket(agent, { comment: { body: 'Card 4111-1111 exp 12/29' } });
    const [comment] = await comments(id);
    const res = await call(admin, 'PUT', `/api/v2/comment_redactions/${comment.id}.json`, {
      ticket_id: id,
      html_body: '<p>Card <redact>4111-1111</redact> exp <redact>12/29</redact></p>',
    });
    expect(res.status).toBe(200);
    expect((res.body.comment as Comment).body).toBe('Card ▇▇▇▇▇▇▇▇▇ exp ▇▇▇▇▇');
  });

  it('answers bad redactions with 4xx and changes nothing', async () => {
    const id = await ticket(agent, { comment: { body: 'keep me' } });
    const other = await ticket(agent, { comment: { body: 'other ticket' } });
    const [comment] = await comments(id);
    const [foreign] = await comments(other);
    const path = `/api/v2/tickets/${id}/comments/${comment.id}/redact.json`;
    const cases: Array<[Caller, string, unknown, number]> = [
      [agent, path, { text: '' }, 422],
      [agent, path, {}, 422],
      [agent, path, { text: ['keep'] }, 422],
      [agent, path, { text: 'absent' }, 422],
      [agent, path, { text: 'k'.repeat(70_000) }, 422],
      [agent, path, '{"text": ', 400],
      [agent, `/api/v2/tickets/${id}/comments/${foreign.id}/redact.json`, { text: 'other' }, 404],
      [agent, `/api/v2/tickets/${id}/comments/abc/redact.json`, { text: 'keep' }, 404],
      [light, path, { text: 'keep' }, 403],
      [requester, path, { text: 'keep' }, 403],
      [agent, `/api/v2/comment_redactions/${comment.id}.json`, { ticket_id: id }, 422],
      [
        agent,
        `/api/v2/comment_redactions/${comment.id}.json`,
        { ticket_id: id, html_body: '<p>no marks</p>' },
        422,
      ],
      [
        agent,
        `/api/v2/comment_redactions/${foreign.id}.json`,
        { ticket_id: id, html_body: '<redact>other</redact>' },
        404,
      ],
    ];
    for (const [who, target, body, status] of cases) {
      const res = await call(who, 'PUT', target, body);
      expect([target, body, res.status]).toEqual([target, body, status]);
      expect(typeof res.body.error).toBe('string');
    }
    expect((await comments(id))[0].body).toBe('keep me');
    expect((await auditEvents(id)).map((e) => e.type)).not.toContain('CommentRedactionEvent');
  });

  it('redacts an attachment: its bytes are deleted and an empty redacted.txt remains', async () => {
    const upload = await fetch(`${api.base}/api/v2/uploads.json?filename=keys.txt`, {
      method: 'POST',
      headers: { authorization: agent.auth, 'content-type': 'application/binary' },
      body: Buffer.from('ssh-private-key'),
    });
    const { token, attachment } = ((await upload.json()) as Body).upload as {
      token: string;
      attachment: { id: number };
    };
    const id = await ticket(agent, { comment: { body: 'key attached', uploads: [token] } });
    const [comment] = await comments(id);
    const row = await api.app
      .get(DataSource)
      .getRepository(TicketAttachmentEntity)
      .findOneByOrFail({ id: attachment.id });

    const path = `/api/v2/tickets/${id}/comments/${comment.id}/attachments/${attachment.id}/redact.json`;
    expect((await call(light, 'PUT', path)).status).toBe(403);
    const res = await call(agent, 'PUT', path);

    expect(res.status).toBe(200);
    expect(res.body.attachment).toMatchObject({
      id: attachment.id,
      file_name: 'redacted.txt',
      size: 0,
    });
    expect(await api.app.get(BlobStore).exists(row.blobId)).toBe(false);
    expect((await comments(id))[0].attachments).toEqual([
      expect.objectContaining({ id: attachment.id, file_name: 'redacted.txt' }),
    ]);
    const download = await fetch(`${api.base}/api/v2/attachments/${attachment.id}/download`, {
      headers: { authorization: agent.auth },
    });
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBe(0);
    expect(await auditEvents(id)).toContainEqual(
      expect.objectContaining({
        type: 'AttachmentRedactionEvent',
        comment_id: comment.id,
        attachment_id: attachment.id,
      }),
    );
    const elsewhere = await ticket(agent, { comment: { body: 'x' } });
    const [other] = await comments(elsewhere);
    const foreign = `/api/v2/tickets/${elsewhere}/comments/${other.id}/attachments/${attachment.id}/redact.json`;
    expect((await call(agent, 'PUT', foreign)).status).toBe(404);
  });

  it('make_private hides a reply from the requester and recalculates is_public', async () => {
    const id = await ticket(agent, { comment: { body: 'public reply' } });
    const [comment] = await comments(id);
    const path = `/api/v2/tickets/${id}/comments/${comment.id}/make_private.json`;
    const before = await call(requester, 'GET', `/api/v2/requests/${id}/comments.json`);
    expect(before.body.count).toBe(1);

    expect((await call(light, 'PUT', path)).status).toBe(403);
    expect((await call(requester, 'PUT', path)).status).toBe(403);
    const res = await call(agent, 'PUT', path);

    expect(res.status).toBe(200);
    expect((res.body.comment as Comment).public).toBe(false);
    const after = await call(requester, 'GET', `/api/v2/requests/${id}/comments.json`);
    expect(after.body.count).toBe(0);
    const shown = await call(agent, 'GET', `/api/v2/tickets/${id}.json`);
    expect((shown.body.ticket as Body).is_public).toBe(false);
    expect(await auditEvents(id)).toContainEqual({
      id: expect.any(Number) as unknown,
      type: 'CommentPrivacyChange',
      comment_id: comment.id,
      public: false,
    });
  });

  it('lists a problem’s incidents and counts them, without the confidential ones', async () => {
    const problem = await ticket(hrAgent, { comment: { body: 'VPN down' }, type: 'problem' });
    const itIncident = await ticket(agent, {
      comment: { body: 'no VPN' },
      type: 'incident',
      problem_id: problem,
    });
    const hrIncident = await ticket(hrAgent, {
      comment: { body: 'no VPN for HR' },
      type: 'incident',
      problem_id: problem,
      group_id: hr,
    });

    const ids = async (who: Caller, query = '') => {
      const res = await call(who, 'GET', `/api/v2/tickets/${problem}/incidents.json${query}`);
      expect(res.status).toBe(200);
      return (res.body.tickets as Array<{ id: number }>).map((t) => t.id);
    };
    expect(await ids(hrAgent)).toEqual([itIncident, hrIncident]);
    expect(await ids(agent)).toEqual([itIncident]);
    expect(await ids(admin)).toEqual([itIncident]);
    const page = await call(hrAgent, 'GET', `/api/v2/tickets/${problem}/incidents.json?per_page=1`);
    expect(page.body).toMatchObject({
      count: 2,
      next_page: expect.stringContaining('page=2') as unknown,
    });

    const related = async (who: Caller) =>
      (await call(who, 'GET', `/api/v2/tickets/${problem}/related.json`)).body;
    expect(await related(hrAgent)).toEqual({
      ticket_related: {
        topic_id: null,
        jira_issue_ids: [],
        followup_source_ids: [],
        from_archive: false,
        incidents: 2,
      },
    });
    expect(((await related(agent)).ticket_related as Body).incidents).toBe(1);
    expect((await call(agent, 'GET', `/api/v2/tickets/${hrIncident}/related.json`)).status).toBe(
      404,
    );
    expect((await call(requester, 'GET', `/api/v2/tickets/${problem}/related.json`)).status).toBe(
      403,
    );
  });
});
