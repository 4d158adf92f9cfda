import type { INestApplicationContext } from '@nestjs/common';
import {
  GroupMembershipService,
  GroupService,
  OrganizationService,
  SYSTEM_ACTOR,
  type UserEntity,
  type UserRole,
  UserService,
} from '@steward/identity';
import { type DomainEvent, DomainEvents } from '@steward/persistence';
import { ErrorCode } from '@steward/platform';
import { truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { RequestService } from './request.service';
import { startTicketsTestApp } from './testing/tickets-test-app';
import { type TicketActor, TicketService } from './ticket.service';

describe('requests (the Requests API service)', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let requests: RequestService;
  let tickets: TicketService;
  const heard: DomainEvent[] = [];

  beforeAll(async () => {
    ({ app, setup } = await startTicketsTestApp());
    requests = app.get(RequestService);
    tickets = app.get(TicketService);
    for (const type of ['ticket.created', 'ticket.updated', 'comment.added']) {
      app.get(DomainEvents).subscribe(type, (event) => void heard.push(event));
    }
  });

  afterEach(async () => {
    await app.get(DomainEvents).settled();
    heard.length = 0;
    await truncateAll(app.get(DataSource));
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  async function user(email: string, role: UserRole = 'end-user'): Promise<UserEntity> {
    return (await app.get(UserService).createUser({ email, role })).user;
  }

  async function organization(sharedTickets: boolean, sharedComments: boolean): Promise<void> {
    await app
      .get(OrganizationService)
      .create(
        { name: 'Acme', domainNames: ['acme.example'], sharedTickets, sharedComments },
        SYSTEM_ACTOR,
      );
  }

  function as(actor: UserEntity): TicketActor {
    return { user: actor, via: 'api' };
  }

  /** Files a request as the user; its id. */
  async function filed(requester: UserEntity, subject = 'VPN down'): Promise<number> {
    const view = await requests.create({ subject, comment: { body: 'It drops.' } }, as(requester));
    return view.ticket.id;
  }

  async function notFound(promise: Promise<unknown>): Promise<void> {
    await expect(promise).rejects.toMatchObject({ code: ErrorCode.NotFound });
  }

  it('files a request as the caller: requester, submitter, public first comment, events', async () => {
    const ann = await user('ann@example.com');
    const view = await requests.create(
      { subject: 'Printer', comment: { body: 'Jammed again.' } },
      as(ann),
    );
    expect(view.ticket).toMatchObject({
      subject: 'Printer',
      status: 'new',
      requesterId: ann.id,
      submitterId: ann.id,
      viaChannel: 'api',
      isPublic: true,
    });
    expect(view.description).toBe('Jammed again.');
    expect(view.canBeSolvedByMe).toBe(false);
    await app.get(DomainEvents).settled();
    expect(heard.map((e) => e.type)).toEqual(['ticket.created', 'comment.added']);
    await expect(requests.create({ subject: 'x' }, as(ann))).rejects.toMatchObject({
      code: ErrorCode.Invalid,
      details: { comment: [expect.any(String)] },
    });
  });

  it("shows the caller's own requests, and another's is not found", async () => {
    const ann = await user('ann@example.com');
    const bob = await user('bob@example.com');
    const mine = await filed(ann, 'Mine');
    const his = await filed(bob, 'His');
    const page = await requests.list(ann, { offset: 0, perPage: 10 });
    expect(page.requests.map((r) => r.ticket.id)).toEqual([mine]);
    expect(page.count).toBe(1);
    expect((await requests.show(mine, ann)).ticket.subject).toBe('Mine');
    await notFound(requests.show(his, ann));
    await notFound(requests.comments(his, ann, { offset: 0, perPage: 10 }));
    await notFound(requests.update(his, { comment: { body: 'me too' } }, as(ann)));
    await notFound(requests.show(999_999, ann));
  });

  it('lists by status', async () => {
    const ann = await user('ann@example.com');
    const agent = await user('agent@example.com', 'agent');
    const open = await filed(ann, 'Open one');
    await filed(ann, 'New one');
    await tickets.update(open, { assigneeId: agent.id }, as(agent));
    const page = await requests.list(ann, { offset: 0, perPage: 10, statuses: ['open'] });
    expect(page.requests.map((r) => r.ticket.id)).toEqual([open]);
  });

  it("shows a request to those CC'd on it, who may comment", async () => {
    const ann = await user('ann@example.com');
    const cc = await user('carl@example.com');
    const agent = await user('agent@example.com', 'agent');
    const created = await tickets.create(
      {
        subject: 'Laptop',
        comment: { body: 'Broken' },
        requesterId: ann.id,
        collaboratorIds: [cc.id],
      },
      as(agent),
    );
    const id = created.ticket.id;
    expect((await requests.show(id, cc)).collaboratorIds).toEqual([cc.id]);
    const after = await requests.update(id, { comment: { body: 'Mine too' } }, as(cc));
    expect(after.ticket.status).toBe('new');
    // A CC may not solve it: only the requester may.
    await tickets.update(id, { assigneeId: agent.id }, as(agent));
    expect((await requests.show(id, cc)).canBeSolvedByMe).toBe(false);
  });

  it("hides a colleague's request unless the organization shares tickets", async () => {
    await organization(false, false);
    const ann = await user('ann@acme.example');
    const bob = await user('bob@acme.example');
    const id = await filed(ann);
    await notFound(requests.show(id, bob));
  });

  it('with shared tickets but not comments, colleagues see the request but may not comment', async () => {
    await organization(true, false);
    const ann = await user('ann@acme.example');
    const bob = await user('bob@acme.example');
    const outsider = await user('olga@example.com');
    const id = await filed(ann);
    expect((await requests.show(id, bob)).ticket.requesterId).toBe(ann.id);
    expect((await requests.comments(id, bob, { offset: 0, perPage: 10 })).count).toBe(1);
    await expect(
      requests.update(id, { comment: { body: 'Same here' } }, as(bob)),
    ).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    await notFound(requests.show(id, outsider));
    // Their own list stays their own.
    expect((await requests.list(bob, { offset: 0, perPage: 10 })).count).toBe(0);
  });

  it('with shared comments, colleagues may comment', async () => {
    await organization(true, true);
    const ann = await user('ann@acme.example');
    const bob = await user('bob@acme.example');
    const id = await filed(ann);
    await requests.update(id, { comment: { body: 'Same here' } }, as(bob));
    const { comments } = await requests.comments(id, ann, { offset: 0, perPage: 10 });
    expect(comments.map((c) => [c.authorId, c.body])).toEqual([
      [ann.id, 'It drops.'],
      [bob.id, 'Same here'],
    ]);
  });

  it("never shares a colleague's request in a confidential group", async () => {
    await organization(true, true);
    const ann = await user('ann@acme.example');
    const bob = await user('bob@acme.example');
    const hrAgent = await user('hr@example.com', 'agent');
    const hr = await app.get(GroupService).create({ name: 'HR', confidential: true }, SYSTEM_ACTOR);
    await app
      .get(GroupMembershipService)
      .create({ userId: hrAgent.id, groupId: hr.id }, SYSTEM_ACTOR);
    const created = await tickets.create(
      { subject: 'Grievance', comment: { body: 'private' }, requesterId: ann.id, groupId: hr.id },
      as(hrAgent),
    );
    expect((await requests.show(created.ticket.id, ann)).ticket.groupId).toBe(hr.id);
    await notFound(requests.show(created.ticket.id, bob));
  });

  it('never shows internal notes: not in comments, counts or the description', async () => {
    const ann = await user('ann@example.com');
    const agent = await user('agent@example.com', 'agent');
    const created = await tickets.create(
      {
        subject: 'Phone',
        comment: { body: 'Internal: the caller sounded upset', isPublic: false },
        requesterId: ann.id,
      },
      as(agent),
    );
    const id = created.ticket.id;
    expect(await requests.show(id, ann)).toMatchObject({ description: '' });
    await tickets.update(id, { comment: { body: 'We are on it.' } }, as(agent));
    await tickets.update(id, { comment: { body: 'Check the SIM', isPublic: false } }, as(agent));
    const view = await requests.show(id, ann);
    expect(view.description).toBe('We are on it.');
    const page = await requests.comments(id, ann, { offset: 0, perPage: 10 });
    expect(page.comments.map((c) => c.body)).toEqual(['We are on it.']);
    expect(page.count).toBe(1);
  });

  it('lets the requester solve an assigned request; a comment reopens it; closed is final', async () => {
    const ann = await user('ann@example.com');
    const agent = await user('agent@example.com', 'agent');
    const id = await filed(ann);
    await expect(requests.update(id, { solved: true }, as(ann))).rejects.toMatchObject({
      code: ErrorCode.Invalid,
      details: { solved: [expect.any(String)] },
    });
    await tickets.update(id, { assigneeId: agent.id, status: 'pending' }, as(agent));
    expect((await requests.show(id, ann)).canBeSolvedByMe).toBe(true);
    heard.length = 0;
    const solved = await requests.update(id, { solved: true }, as(ann));
    expect(solved.ticket.status).toBe('solved');
    expect(solved.ticket.solvedAt).not.toBeNull();
    expect(solved.canBeSolvedByMe).toBe(false);
    await app.get(DomainEvents).settled();
    expect(heard).toEqual([{ type: 'ticket.updated', ticketId: id, fields: ['status'] }]);
    // Solving a solved request again changes nothing.
    expect((await requests.update(id, { solved: true }, as(ann))).ticket.status).toBe('solved');
    const reopened = await requests.update(id, { comment: { body: 'Back again' } }, as(ann));
    expect(reopened.ticket).toMatchObject({ status: 'open', solvedAt: null });
    const { audits } = await tickets.audits(id, agent, { offset: 0, perPage: 10 });
    expect(audits.at(-1)?.events.map((e) => [e.type, e.fieldName, e.value])).toEqual([
      ['Comment', null, null],
      ['Change', 'status', '"open"'],
    ]);
    await requests.update(id, { solved: true }, as(ann));
    await tickets.update(id, { status: 'closed' }, as(agent));
    await expect(
      requests.update(id, { comment: { body: 'Still there?' } }, as(ann)),
    ).rejects.toMatchObject({ code: ErrorCode.Invalid, details: { status: [expect.any(String)] } });
  });

  it('refuses an empty change and callers without requests.own', async () => {
    const ann = await user('ann@example.com');
    const id = await filed(ann);
    await expect(requests.update(id, {}, as(ann))).rejects.toMatchObject({
      code: ErrorCode.Invalid,
    });
    await expect(
      requests.list({ ...ann, active: false }, { offset: 0, perPage: 10 }),
    ).rejects.toMatchObject({ code: ErrorCode.Forbidden });
  });
});
