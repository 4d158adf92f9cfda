import type { INestApplicationContext } from '@nestjs/common';
import {
  BreakGlassService,
  GroupMembershipService,
  GroupService,
  SYSTEM_ACTOR,
  type UserEntity,
  type UserRole,
  UserService,
} from '@steward/identity';
import { type DomainEvent, DomainEvents } from '@steward/persistence';
import { truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { startTicketsTestApp } from './testing/tickets-test-app';
import { TicketCommentEntity } from './ticket-comment.entity';
import { TicketEntity } from './ticket.entity';
import { TicketService, type TicketActor } from './ticket.service';

describe('tickets', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let tickets: TicketService;
  const heard: DomainEvent[] = [];

  beforeAll(async () => {
    ({ app, setup } = await startTicketsTestApp());
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

  async function user(email: string, role: UserRole): Promise<UserEntity> {
    return (await app.get(UserService).createUser({ email, role, password: 'x'.repeat(16) })).user;
  }

  async function group(name: string, confidential = false): Promise<number> {
    return (await app.get(GroupService).create({ name, confidential }, SYSTEM_ACTOR)).id;
  }

  async function join(userId: number, groupId: number): Promise<void> {
    await app.get(GroupMembershipService).create({ userId, groupId }, SYSTEM_ACTOR);
  }

  function as(actor: UserEntity): TicketActor {
    return { user: actor, via: 'api' };
  }

  it('creates the ticket, its requester, first comment and audit, then announces it', async () => {
    const agent = await user('agent@example.com', 'agent');
    const view = await tickets.create(
      {
        subject: 'VPN down',
        comment: { body: 'It drops every hour.' },
        requester: { name: 'Ann', email: 'ann@example.com' },
        priority: 'high',
        tags: ['VPN', 'remote'],
      },
      as(agent),
    );
    const requester = await app.get(UserService).findByEmail('ann@example.com');
    expect(requester).toMatchObject({ name: 'Ann', role: 'end-user' });
    expect(view.ticket).toMatchObject({
      subject: 'VPN down',
      status: 'new',
      priority: 'high',
      requesterId: requester?.id,
      submitterId: agent.id,
      viaChannel: 'api',
    });
    expect(view.description).toBe('It drops every hour.');
    expect(view.tags).toEqual(['remote', 'vpn']);
    const { audits } = await tickets.audits(view.ticket.id, agent, { offset: 0, perPage: 10 });
    expect(audits).toHaveLength(1);
    expect(audits[0].events.map((e) => [e.type, e.fieldName])).toEqual(
      expect.arrayContaining([
        ['Comment', null],
        ['Create', 'subject'],
        ['Create', 'status'],
        ['Create', 'priority'],
        ['Create', 'tags'],
      ]),
    );
    await app.get(DomainEvents).settled();
    expect(heard.map((e) => e.type)).toEqual(['ticket.created', 'comment.added']);
  });

  it('stores HTML comments sanitised, with a plain-text twin', async () => {
    const agent = await user('agent@example.com', 'agent');
    const view = await tickets.create(
      {
        subject: 'Phish',
        comment: { htmlBody: '<p>Click <a href="javascript:x()">here</a><script>x()</script></p>' },
      },
      as(agent),
    );
    const [comment] = await app.get(DataSource).getRepository(TicketCommentEntity).find();
    expect(comment.htmlBody).toBe('<p>Click <a rel="noopener noreferrer nofollow">here</a></p>');
    expect(comment.body).toBe('Click here');
    expect(view.description).toBe('Click here');
  });

  it('writes nothing and announces nothing when a change is refused', async () => {
    const agent = await user('agent@example.com', 'agent');
    await expect(
      tickets.create(
        {
          subject: 'x',
          comment: { body: 'y' },
          requester: { email: 'new@example.com' },
          assigneeId: 999,
        },
        as(agent),
      ),
    ).rejects.toThrow('Record validation errors');
    await app.get(DomainEvents).settled();
    expect(heard).toEqual([]);
    expect(await app.get(DataSource).getRepository(TicketEntity).count()).toBe(0);
    expect(await app.get(UserService).findByEmail('new@example.com')).toBeNull();
  });

  it('shows agents the tickets of their groups and hides the rest as not found', async () => {
    const it = await group('IT');
    const facilities = await group('Facilities');
    const itAgent = await user('it@example.com', 'agent');
    const lightAgent = await user('light@example.com', 'light-agent');
    await join(itAgent.id, it);
    await join(lightAgent.id, facilities);
    const admin = await user('admin@example.com', 'admin');
    const ticket = await tickets.create(
      { subject: 'Printer', comment: { body: 'jammed' }, groupId: it },
      as(admin),
    );
    const facilitiesAgent = await user('fac@example.com', 'agent');
    await join(facilitiesAgent.id, facilities);
    await expect(tickets.show(ticket.ticket.id, itAgent)).resolves.toBeDefined();
    await expect(tickets.show(ticket.ticket.id, lightAgent)).rejects.toThrow('Not found');
    await expect(tickets.show(ticket.ticket.id, facilitiesAgent)).rejects.toThrow('Not found');
    expect((await tickets.list(facilitiesAgent, { offset: 0, perPage: 10 })).count).toBe(0);
    await tickets.update(ticket.ticket.id, { assigneeId: itAgent.id }, as(admin));
    const ungrouped = await tickets.create({ subject: 'Lost', comment: { body: '?' } }, as(admin));
    expect(
      (await tickets.list(facilitiesAgent, { offset: 0, perPage: 10 })).tickets.map(
        (t) => t.ticket.id,
      ),
    ).toEqual([ungrouped.ticket.id]);
    const page = await tickets.list(lightAgent, { offset: 0, perPage: 10 });
    expect(page.tickets.map((t) => t.ticket.id)).toEqual([ungrouped.ticket.id]);
  });

  it('hides a confidential group from non-members and admins until break-glass', async () => {
    const hr = await group('HR', true);
    const hrAgent = await user('hr@example.com', 'agent');
    const itAgent = await user('it@example.com', 'agent');
    const admin = await user('admin@example.com', 'admin');
    await join(hrAgent.id, hr);
    const view = await tickets.create(
      { subject: 'Grievance', comment: { body: 'private' }, groupId: hr },
      as(hrAgent),
    );
    const id = view.ticket.id;
    await expect(tickets.show(id, hrAgent)).resolves.toBeDefined();
    await expect(tickets.show(id, itAgent)).rejects.toThrow('Not found');
    await expect(tickets.show(id, admin)).rejects.toThrow('Not found');
    expect((await tickets.list(admin, { offset: 0, perPage: 10 })).count).toBe(0);
    expect(await tickets.showMany([id], itAgent)).toEqual([]);
    await expect(tickets.comments(id, itAgent, { offset: 0, perPage: 10 })).rejects.toThrow(
      'Not found',
    );
    await app.get(BreakGlassService).open(hr, 'Investigating a legal hold request', admin);
    await expect(tickets.show(id, admin)).resolves.toBeDefined();
    expect((await tickets.list(admin, { offset: 0, perPage: 10 })).count).toBe(1);
  });

  it('lets light agents add internal notes only', async () => {
    const it = await group('IT');
    const lightAgent = await user('light@example.com', 'light-agent');
    await join(lightAgent.id, it);
    const admin = await user('admin@example.com', 'admin');
    const { ticket } = await tickets.create(
      { subject: 'Laptop', comment: { body: 'slow' }, groupId: it },
      as(admin),
    );
    await tickets.update(
      ticket.id,
      { comment: { body: 'seen it', isPublic: false } },
      as(lightAgent),
    );
    await expect(
      tickets.update(ticket.id, { comment: { body: 'hello requester' } }, as(lightAgent)),
    ).rejects.toThrow('internal notes only');
    await expect(tickets.update(ticket.id, { status: 'pending' }, as(lightAgent))).rejects.toThrow(
      'access to change',
    );
    await expect(
      tickets.create({ subject: 'x', comment: { body: 'y' } }, as(lightAgent)),
    ).rejects.toThrow('access to create');
  });

  it('assigns an unassigned ticket to the agent who solves it, and closed is final', async () => {
    const it = await group('IT');
    const agent = await user('agent@example.com', 'agent');
    await join(agent.id, it);
    const { ticket } = await tickets.create(
      { subject: 'Mouse', comment: { body: 'broken' }, groupId: it },
      as(agent),
    );
    const solved = await tickets.update(ticket.id, { status: 'solved' }, as(agent));
    expect(solved.ticket).toMatchObject({ status: 'solved', assigneeId: agent.id });
    expect(solved.ticket.solvedAt).toBeInstanceOf(Date);
    await tickets.update(ticket.id, { status: 'closed' }, as(agent));
    await expect(tickets.update(ticket.id, { priority: 'low' }, as(agent))).rejects.toThrow(
      'Record validation errors',
    );
  });

  it('leaves group and assignee alone on updates that do not move them', async () => {
    const it = await group('IT');
    await app.get(GroupService).create({ name: 'Front desk', isDefault: true }, SYSTEM_ACTOR);
    const agent = await user('agent@example.com', 'agent');
    const admin = await user('admin@example.com', 'admin');
    await join(agent.id, it);
    const assigned = await tickets.create(
      { subject: 'Mouse', comment: { body: 'x' }, groupId: it, assigneeId: agent.id },
      as(admin),
    );
    const [membership] = await app.get(GroupMembershipService).listOfUsers([agent.id]);
    await app.get(GroupMembershipService).delete(membership.id, SYSTEM_ACTOR);
    const changed = await tickets.update(
      assigned.ticket.id,
      { priority: 'low', comment: { body: 'still yours', isPublic: false } },
      as(admin),
    );
    expect(changed.ticket).toMatchObject({ groupId: it, assigneeId: agent.id, priority: 'low' });
    const ungrouped = await tickets.create(
      { subject: 'Lost', comment: { body: '?' }, groupId: null },
      as(admin),
    );
    expect(ungrouped.ticket.groupId).not.toBeNull();
    const moved = await tickets.update(ungrouped.ticket.id, { groupId: null }, as(admin));
    await tickets.update(moved.ticket.id, { priority: 'high' }, as(admin));
    expect((await tickets.show(moved.ticket.id, admin)).ticket.groupId).toBeNull();
  });

  it('assigns the solver only when they are in the ticket’s group', async () => {
    const it = await group('IT');
    const admin = await user('admin@example.com', 'admin');
    const { ticket } = await tickets.create(
      { subject: 'Badge', comment: { body: 'x' }, groupId: it },
      as(admin),
    );
    await expect(tickets.update(ticket.id, { status: 'solved' }, as(admin))).rejects.toThrow(
      'Record validation errors',
    );
    await join(admin.id, it);
    const solved = await tickets.update(ticket.id, { status: 'solved' }, as(admin));
    expect(solved.ticket).toMatchObject({ status: 'solved', assigneeId: admin.id });
  });

  it('refuses an assignee outside the ticket’s group, and end-users as assignees', async () => {
    const it = await group('IT');
    const hr = await group('HR');
    const itAgent = await user('it@example.com', 'agent');
    const hrAgent = await user('hr@example.com', 'agent');
    const requester = await user('req@example.com', 'end-user');
    await join(itAgent.id, it);
    await join(hrAgent.id, hr);
    const { ticket } = await tickets.create(
      { subject: 'Access', comment: { body: 'badge' }, groupId: it },
      as(itAgent),
    );
    await expect(
      tickets.update(ticket.id, { assigneeId: hrAgent.id }, as(itAgent)),
    ).rejects.toThrow('Record validation errors');
    await expect(
      tickets.update(ticket.id, { assigneeId: requester.id }, as(itAgent)),
    ).rejects.toThrow('Record validation errors');
    const assigned = await tickets.update(ticket.id, { assigneeId: itAgent.id }, as(itAgent));
    expect(assigned.ticket).toMatchObject({ status: 'open', assigneeId: itAgent.id, groupId: it });
  });

  it('records each change with its previous value, and announces the changed fields', async () => {
    const agent = await user('agent@example.com', 'agent');
    const { ticket } = await tickets.create(
      { subject: 'VPN', comment: { body: 'down' }, tags: ['vpn'] },
      as(agent),
    );
    await tickets.update(
      ticket.id,
      { priority: 'urgent', additionalTags: ['Remote'], removeTags: ['vpn'] },
      as(agent),
    );
    const { audits } = await tickets.audits(ticket.id, agent, { offset: 0, perPage: 10 });
    const changes = audits[1].events.map((e) => [e.fieldName, e.value, e.previousValue]);
    expect(changes).toEqual([
      ['priority', '"urgent"', null],
      ['tags', '["remote"]', '["vpn"]'],
    ]);
    await app.get(DomainEvents).settled();
    expect(heard).toContainEqual({
      type: 'ticket.updated',
      ticketId: ticket.id,
      fields: ['priority', 'tags'],
    });
  });
});
