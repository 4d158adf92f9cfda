import type { INestApplicationContext } from '@nestjs/common';
import {
  GroupMembershipService,
  GroupService,
  SYSTEM_ACTOR,
  type UserEntity,
  type UserRole,
  UserService,
} from '@steward/identity';
import { DomainEvents } from '@steward/persistence';
import { ErrorCode, StewardError } from '@steward/platform';
import { truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { TicketSearchService, type SearchPage } from './search.service';
import { startTicketsTestApp } from './testing/tickets-test-app';
import { TicketService, type TicketActor, type TicketInput } from './ticket.service';

describe('ticket search', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let tickets: TicketService;
  let search: TicketSearchService;

  beforeAll(async () => {
    ({ app, setup } = await startTicketsTestApp());
    tickets = app.get(TicketService);
    search = app.get(TicketSearchService);
  });

  afterEach(async () => {
    await app.get(DomainEvents).settled();
    await truncateAll(app.get(DataSource));
    await app.get(DataSource).query('DELETE FROM ticket_search');
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

  /** Creates a ticket and waits until the index has heard of it. */
  async function ticket(input: TicketInput, actor: UserEntity): Promise<number> {
    const view = await tickets.create(input, as(actor));
    await app.get(DomainEvents).settled();
    return view.ticket.id;
  }

  function find(actor: UserEntity, query: string, perPage = 100): Promise<SearchPage> {
    return search.find(actor, query, { offset: 0, perPage, sortBy: 'id', descending: false });
  }

  async function ids(actor: UserEntity, query: string): Promise<number[]> {
    return (await find(actor, `type:ticket ${query}`)).results.map((r) =>
      r.type === 'ticket' ? r.ticket.ticket.id : -r.user.id,
    );
  }

  it('indexes a new ticket’s subject and comments, and follows replies and deletion', async () => {
    const admin = await user('admin@example.com', 'admin');
    const id = await ticket(
      { subject: 'VPN drops', comment: { body: 'Every hour the tunnel resets.' } },
      admin,
    );
    await ticket({ subject: 'Printer', comment: { body: 'Paper jam' } }, admin);
    expect(await ids(admin, 'vpn')).toEqual([id]);
    expect(await ids(admin, 'TUNNEL')).toEqual([id]);
    expect(await ids(admin, 'firewall')).toEqual([]);

    await tickets.update(id, { comment: { body: 'The firewall was the cause.' } }, as(admin));
    await app.get(DomainEvents).settled();
    expect(await ids(admin, 'firewall')).toEqual([id]);

    await tickets.update(id, { subject: 'Remote access' }, as(admin));
    await app.get(DomainEvents).settled();
    expect(await ids(admin, 'subject:vpn')).toEqual([]);
    expect(await ids(admin, 'subject:remote')).toEqual([id]);

    await tickets.delete(id, as(admin));
    await app.get(DomainEvents).settled();
    expect(await ids(admin, 'firewall')).toEqual([]);
    const [row] = await app
      .get(DataSource)
      .query<Array<{ n: number | string }>>('SELECT COUNT(*) AS n FROM ticket_search');
    expect(Number(row.n)).toBe(1);
  });

  it('matches all words, exact phrases, and leaves out negated text', async () => {
    const admin = await user('admin@example.com', 'admin');
    const a = await ticket(
      { subject: 'Laptop', comment: { body: 'battery swollen badly' } },
      admin,
    );
    const b = await ticket({ subject: 'Laptop', comment: { body: 'swollen battery' } }, admin);
    expect(await ids(admin, 'laptop battery')).toEqual([a, b]);
    expect(await ids(admin, '"battery swollen"')).toEqual([a]);
    expect(await ids(admin, 'laptop -badly')).toEqual([b]);
    expect(await ids(admin, '-"swollen battery"')).toEqual([a]);
  });

  it('finds Chinese and Japanese words inside unspaced text', async () => {
    const admin = await user('admin@example.com', 'admin');
    const tokyo = await ticket(
      { subject: 'VPN接続の問題', comment: { body: '東京都に住む社員が接続できません' } },
      admin,
    );
    const beijing = await ticket(
      { subject: '打印机', comment: { body: '北京办公室的打印机坏了' } },
      admin,
    );
    expect(await ids(admin, '東京')).toEqual([tokyo]);
    expect(await ids(admin, '接続')).toEqual([tokyo]);
    expect(await ids(admin, '"東京都"')).toEqual([tokyo]);
    expect(await ids(admin, '京都')).toEqual([tokyo]);
    expect(await ids(admin, '打印机')).toEqual([beijing]);
    expect(await ids(admin, '北京')).toEqual([beijing]);
    expect(await ids(admin, '大阪')).toEqual([]);
    expect(await ids(admin, 'vpn 社員')).toEqual([tokyo]);
  });

  it('finds short words and stopwords the engines would drop', async () => {
    const admin = await user('admin@example.com', 'admin');
    const id = await ticket(
      { subject: 'HR: it is the form', comment: { body: 'Go to HR' } },
      admin,
    );
    expect(await ids(admin, 'hr')).toEqual([id]);
    expect(await ids(admin, '"it is the"')).toEqual([id]);
  });

  it('filters by status, priority, type, tags, people, group and dates', async () => {
    const hr = await group('HR');
    const admin = await user('admin@example.com', 'admin');
    const agent = await user('agent@example.com', 'agent');
    await join(agent.id, hr);
    const urgent = await ticket(
      {
        subject: 'Payroll',
        comment: { body: 'wrong amount' },
        priority: 'urgent',
        type: 'incident',
        tags: ['pay', 'vpn'],
        groupId: hr,
        assigneeId: agent.id,
        requester: { email: 'alice@example.com' },
      },
      admin,
    );
    const normal = await ticket(
      { subject: 'Badge', comment: { body: 'lost badge' }, priority: 'normal', tags: ['vpn'] },
      admin,
    );
    const none = await ticket({ subject: 'Chair', comment: { body: 'broken' } }, admin);
    await tickets.update(none, { status: 'pending' }, as(admin));
    expect(await ids(admin, 'priority>normal')).toEqual([urgent]);
    expect(await ids(admin, 'priority>=normal')).toEqual([urgent, normal]);
    expect(await ids(admin, 'priority:none')).toEqual([none]);
    expect(await ids(admin, 'ticket_type:incident')).toEqual([urgent]);
    expect(await ids(admin, 'tags:vpn')).toEqual([urgent, normal]);
    expect(await ids(admin, 'tags:vpn -tags:pay')).toEqual([normal]);
    expect(await ids(admin, 'tags:pay tags:nothing')).toEqual([urgent]);
    expect(await ids(admin, 'status:pending')).toEqual([none]);
    expect(await ids(admin, 'status<pending')).toEqual([urgent, normal]);
    expect(await ids(admin, 'status:open status:pending')).toEqual([urgent, none]);
    expect(await ids(admin, 'group:"hr"')).toEqual([urgent]);
    expect(await ids(admin, 'group:none')).toEqual([normal, none]);
    expect(await ids(admin, 'group:Nowhere')).toEqual([]);
    expect(await ids(admin, '-group:Nowhere')).toEqual([urgent, normal, none]);
    expect(await ids(admin, 'requester:alice@example.com')).toEqual([urgent]);
    expect(await ids(admin, 'requester:nobody@example.com')).toEqual([]);
    expect(await ids(agent, 'assignee:me')).toEqual([urgent]);
    expect(await ids(admin, 'assignee:none')).toEqual([normal, none]);
    expect(await ids(admin, '-assignee:me')).toEqual([urgent, normal, none]);
    expect(await ids(admin, 'created>2020-01-01 created<2999-01-01')).toEqual([
      urgent,
      normal,
      none,
    ]);
    expect(await ids(admin, 'created<2020-01-01')).toEqual([]);
    expect(await ids(admin, 'created>1hours')).toEqual([urgent, normal, none]);
    expect(await ids(admin, 'solved>2020-01-01')).toEqual([]);
    expect(await ids(admin, 'wrong priority:urgent')).toEqual([urgent]);
    expect(await search.count(admin, 'tags:vpn')).toBe(2);
  });

  it('shows only tickets inside the caller’s scope, in results and counts', async () => {
    const hr = await group('HR', true);
    const it = await group('IT');
    const hrAgent = await user('hr@example.com', 'agent');
    const itAgent = await user('it@example.com', 'agent');
    const admin = await user('admin@example.com', 'admin');
    await join(hrAgent.id, hr);
    await join(itAgent.id, it);
    const secret = await ticket(
      { subject: 'Grievance salary', comment: { body: 'private' }, groupId: hr },
      hrAgent,
    );
    const printer = await ticket(
      { subject: 'Printer salary', comment: { body: 'jam' }, groupId: it },
      admin,
    );
    expect(await ids(hrAgent, 'salary')).toEqual([secret]);
    expect(await ids(itAgent, 'salary')).toEqual([printer]);
    expect(await ids(admin, 'salary')).toEqual([printer]);
    expect(await ids(admin, 'grievance')).toEqual([]);
    expect(await search.count(admin, 'salary')).toBe(1);
    expect(await search.count(admin, 'group:HR')).toBe(0);
    expect(await ids(itAgent, '-nothing')).toEqual([printer]);
  });

  it('answers operators and SQL in the text with results or a clean 422, never another error', async () => {
    const admin = await user('admin@example.com', 'admin');
    const id = await ticket(
      { subject: 'DROP TABLE request', comment: { body: 'near the door and the window' } },
      admin,
    );
    const inputs = [
      '"',
      '*',
      '+',
      '-',
      '(',
      ')',
      'NEAR',
      'NEAR(door window)',
      'door AND window',
      'door OR',
      '"door" NOT "window"',
      'door*',
      '+door -window',
      '@door',
      '~door',
      '>door <window',
      "';DROP TABLE tickets;--",
      "' OR 1=1 --",
      '" OR ""="',
      'subject:"\'; DELETE FROM tickets"',
      '\\',
      '%',
      '_',
      'ticket_search',
      'group:"x\' OR 1=1"',
      'requester:"a@b\'--"',
      '東京"',
      '🙂',
    ];
    for (const input of inputs) {
      try {
        await find(admin, input);
      } catch (error) {
        expect(error).toBeInstanceOf(StewardError);
        expect([ErrorCode.Invalid]).toContain((error as StewardError).code);
      }
    }
    expect(await ids(admin, "';DROP TABLE request;--")).toEqual([id]);
    expect(await ids(admin, 'NEAR(the door)')).toEqual([id]);
    expect(await ids(admin, '+door -window')).toEqual([]);
    await expect(find(admin, '*')).rejects.toMatchObject({ code: ErrorCode.Invalid });
    expect((await tickets.show(id, admin)).ticket.subject).toBe('DROP TABLE request');
  });

  it('returns users to staff who may read them, after the tickets', async () => {
    const admin = await user('admin@example.com', 'admin');
    const ann = await user('ann.lee@example.com', 'end-user');
    const id = await ticket({ subject: 'Ann’s laptop', comment: { body: 'ann.lee' } }, admin);
    const page = await find(admin, 'ann.lee');
    expect(page.count).toBe(2);
    expect(
      page.results.map((r) => (r.type === 'ticket' ? r.ticket.ticket.id : `u${r.user.id}`)),
    ).toEqual([id, `u${ann.id}`]);
    const second = await search.find(admin, 'ann.lee', { offset: 1, perPage: 1 });
    expect(second.results.map((r) => r.type)).toEqual(['user']);
    const users = await find(admin, 'type:user ann.lee');
    expect(users.results.map((r) => r.type)).toEqual(['user']);
    expect(await search.count(admin, 'ann.lee')).toBe(2);
    await expect(find(admin, 'type:user -ann')).rejects.toMatchObject({ code: ErrorCode.Invalid });
  });

  it('refuses search to end-users, tickets and users alike', async () => {
    const endUser = await user('end@example.com', 'end-user');
    await expect(find(endUser, 'vpn')).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    await expect(find(endUser, 'type:user vpn')).rejects.toMatchObject({
      code: ErrorCode.Forbidden,
    });
    await expect(search.count(endUser, 'vpn')).rejects.toMatchObject({
      code: ErrorCode.Forbidden,
    });
  });

  it('rebuilds the index in batches, reporting progress', async () => {
    const admin = await user('admin@example.com', 'admin');
    const made: number[] = [];
    for (const word of ['alpha', 'beta', 'gamma', 'delta', 'epsilon']) {
      made.push(await ticket({ subject: word, comment: { body: `${word} body` } }, admin));
    }
    await app.get(DataSource).query('DELETE FROM ticket_search');
    expect(await ids(admin, 'gamma')).toEqual([]);
    const progress: number[] = [];
    expect(await search.rebuild(2, (done) => progress.push(done))).toBe(5);
    expect(progress).toEqual([2, 4, 5]);
    expect(await ids(admin, 'gamma')).toEqual([made[2]]);
    expect(await ids(admin, 'body')).toEqual(made);
  });

  it('re-indexes a ticket whose text was changed outside the ticket service (erasure)', async () => {
    const admin = await user('admin@example.com', 'admin');
    const id = await ticket({ subject: 'Zebra', comment: { body: 'stripes' } }, admin);
    await app
      .get(DataSource)
      .query('UPDATE tickets SET subject = ? WHERE id = ?', ['[erased]', id]);
    expect(await ids(admin, 'zebra')).toEqual([id]);
    await search.reindex([id]);
    expect(await ids(admin, 'zebra')).toEqual([]);
    expect(await ids(admin, 'erased')).toEqual([id]);
  });
});
