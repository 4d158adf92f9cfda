import type { INestApplicationContext } from '@nestjs/common';
import {
  GroupMembershipService,
  GroupService,
  SYSTEM_ACTOR,
  type UserEntity,
  type UserRole,
  UserService,
} from '@steward/identity';
import { Clock } from '@steward/platform';
import type { TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { startTicketsTestApp } from './testing/tickets-test-app';
import { type TicketInput, TicketService } from './ticket.service';
import { TicketEntity } from './ticket.entity';
import { compileConditions } from './view-conditions';
import { ViewEntity } from './view.entity';
import { ViewRepository } from './view.repository';
import { ViewService } from './view.service';

class TestClock extends Clock {
  private current = new Date('2026-11-21T08:00:00.000Z');

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

const DAY = 86_400_000;
const DEFAULTS = ['my_open', 'unassigned_in_my_groups', 'pending', 'recently_solved'] as const;
type DefaultKey = (typeof DEFAULTS)[number];

describe('views', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let views: ViewService;
  const clock = new TestClock();
  let admin: UserEntity;
  let agent: UserEntity;
  let outsider: UserEntity;
  let light: UserEntity;
  let endUser: UserEntity;
  let itGroup: number;
  let hr: number;
  const defaults = {} as Record<DefaultKey, ViewEntity>;

  async function user(email: string, role: UserRole): Promise<UserEntity> {
    return (await app.get(UserService).createUser({ email, role, password: 'x'.repeat(16) })).user;
  }

  async function join(who: UserEntity, groupId: number): Promise<void> {
    await app.get(GroupMembershipService).create({ userId: who.id, groupId }, SYSTEM_ACTOR);
  }

  async function ticket(subject: string, input: TicketInput): Promise<number> {
    const view = await app
      .get(TicketService)
      .create({ subject, comment: { body: subject }, ...input }, { user: admin, via: 'api' });
    return view.ticket.id;
  }

  async function counts(who: UserEntity): Promise<Record<DefaultKey, number>> {
    const result = {} as Record<DefaultKey, number>;
    for (const key of DEFAULTS) result[key] = (await views.count(defaults[key], who)).value;
    return result;
  }

  async function subjects(id: number, who: UserEntity): Promise<string[]> {
    const page = await views.ticketPage(id, who, { offset: 0, perPage: 100 });
    return page.tickets.map((t) => t.ticket.subject);
  }

  /**
   * IT (agent, outsider, light) and the confidential HR (agent only). Tickets: IT open for the
   * agent, IT unassigned, IT pending for the outsider, IT solved now and 8 days ago; HR
   * unassigned, HR open and HR pending for the agent.
   */
  beforeAll(async () => {
    ({ app, setup } = await startTicketsTestApp({ clock }));
    views = app.get(ViewService);
    admin = await user('admin@example.com', 'admin');
    agent = await user('agent@example.com', 'agent');
    outsider = await user('outsider@example.com', 'agent');
    light = await user('light@example.com', 'light-agent');
    endUser = await user('eve@example.com', 'end-user');
    itGroup = (await app.get(GroupService).create({ name: 'IT' }, SYSTEM_ACTOR)).id;
    hr = (await app.get(GroupService).create({ name: 'HR', confidential: true }, SYSTEM_ACTOR)).id;
    for (const member of [agent, outsider, light]) await join(member, itGroup);
    await join(agent, hr);
    await ticket('Old fix', { groupId: itGroup, assigneeId: outsider.id, status: 'solved' });
    clock.advance(8 * DAY);
    await ticket('IT mine', { groupId: itGroup, assigneeId: agent.id });
    await ticket('IT nobody', { groupId: itGroup });
    await ticket('IT waiting', { groupId: itGroup, assigneeId: outsider.id, status: 'pending' });
    await ticket('IT fixed', { groupId: itGroup, assigneeId: outsider.id, status: 'solved' });
    await ticket('HR nobody', { groupId: hr });
    await ticket('HR mine', { groupId: hr, assigneeId: agent.id, tags: ['grievance'] });
    await ticket('HR waiting', { groupId: hr, assigneeId: agent.id, status: 'pending' });
    for (const view of await app.get(DataSource).getRepository(ViewEntity).find()) {
      if (view.defaultKey) defaults[view.defaultKey as DefaultKey] = view;
    }
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  it('installs the four default views, shared, in order', async () => {
    const listed = await views.list(light, { activeOnly: true });
    expect(listed.map((v) => [v.title, v.defaultKey, v.restrictionType])).toEqual([
      ['My open tickets', 'my_open', null],
      ['Unassigned tickets in my groups', 'unassigned_in_my_groups', null],
      ['Pending', 'pending', null],
      ['Recently solved', 'recently_solved', null],
    ]);
  });

  it("counts the default views per caller, inside each caller's ticket scope", async () => {
    expect(await counts(agent)).toEqual({
      my_open: 3,
      unassigned_in_my_groups: 2,
      pending: 2,
      recently_solved: 1,
    });
    expect(await counts(outsider)).toEqual({
      my_open: 1,
      unassigned_in_my_groups: 1,
      pending: 1,
      recently_solved: 1,
    });
    // Light agents use views; admins belong to no group and never count HR's tickets.
    expect(await counts(light)).toEqual({
      my_open: 0,
      unassigned_in_my_groups: 1,
      pending: 1,
      recently_solved: 1,
    });
    expect(await counts(admin)).toEqual({
      my_open: 0,
      unassigned_in_my_groups: 0,
      pending: 1,
      recently_solved: 1,
    });
  });

  it('lists the rows the count counts, in the view order', async () => {
    expect(await subjects(defaults.my_open.id, agent)).toEqual([
      'HR waiting',
      'HR mine',
      'IT mine',
    ]);
    expect(await subjects(defaults.unassigned_in_my_groups.id, outsider)).toEqual(['IT nobody']);
    expect(await subjects(defaults.pending.id, admin)).toEqual(['IT waiting']);
    expect(await subjects(defaults.recently_solved.id, agent)).toEqual(['IT fixed']);
  });

  it('never shows a confidential group’s tickets to outsiders or admins, even when asked for', async () => {
    const hrView = await views.create(
      {
        title: 'HR queue',
        conditions: { all: [{ field: 'group_id', operator: 'is', value: hr }] },
        execution: { sort_by: 'id', sort_order: 'asc' },
      },
      admin,
    );
    const tagged = await views.create(
      {
        title: 'Grievances',
        conditions: { any: [{ field: 'current_tags', operator: 'includes', value: 'grievance' }] },
      },
      admin,
    );
    for (const outside of [admin, outsider, light]) {
      expect((await views.count(hrView, outside)).value).toBe(0);
      expect(await subjects(hrView.id, outside)).toEqual([]);
      expect((await views.count(tagged, outside)).value).toBe(0);
    }
    expect(await subjects(hrView.id, agent)).toEqual(['HR nobody', 'HR mine', 'HR waiting']);
    expect((await views.count(tagged, agent)).value).toBe(1);
  });

  it('keeps personal views to their owner and group views to the group', async () => {
    const mine = await views.create(
      {
        title: 'My urgent',
        restriction: { type: 'User', id: agent.id },
        conditions: { all: [{ field: 'assignee_id', operator: 'is', value: 'current_user' }] },
      },
      agent,
    );
    const itOnly = await views.create(
      {
        title: 'IT backlog',
        restriction: { type: 'Group', id: itGroup },
        conditions: { all: [{ field: 'status', operator: 'less_than', value: 'pending' }] },
      },
      admin,
    );
    expect((await views.list(agent, { activeOnly: false })).map((v) => v.id)).toEqual(
      expect.arrayContaining([mine.id, itOnly.id]),
    );
    expect((await views.list(outsider, { activeOnly: false })).map((v) => v.id)).not.toContain(
      mine.id,
    );
    await expect(views.show(mine.id, outsider)).rejects.toMatchObject({ code: 'not_found' });
    await expect(views.countOf(itOnly.id, admin)).rejects.toMatchObject({ code: 'not_found' });
    expect((await views.countOf(itOnly.id, light)).value).toBe(2);
    expect(await views.countMany([mine.id, itOnly.id, defaults.pending.id], outsider)).toEqual([
      { viewId: itOnly.id, value: 2 },
      { viewId: defaults.pending.id, value: 1 },
    ]);
  });

  it('lets agents keep personal views, and only views.manage change shared ones', async () => {
    const conditions = { all: [{ field: 'status', operator: 'is', value: 'open' }] };
    await expect(views.create({ title: 'Shared', conditions }, agent)).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(
      views.create(
        { title: 'Mine', conditions, restriction: { type: 'User', id: light.id } },
        light,
      ),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      views.create(
        { title: 'Theirs', conditions, restriction: { type: 'User', id: admin.id } },
        agent,
      ),
    ).rejects.toMatchObject({ code: 'invalid' });
    await expect(views.list(endUser, { activeOnly: true })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(
      views.update(defaults.pending.id, { title: 'Mine now' }, agent),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const renamed = await views.update(
      defaults.pending.id,
      { title: 'Waiting', active: false },
      admin,
    );
    expect(renamed).toMatchObject({ title: 'Waiting', active: false, defaultKey: 'pending' });
    expect((await views.list(agent, { activeOnly: true })).map((v) => v.id)).not.toContain(
      defaults.pending.id,
    );
    await expect(views.delete(defaults.pending.id, admin)).rejects.toMatchObject({
      code: 'invalid',
    });
    await views.update(defaults.pending.id, { title: 'Pending', active: true }, admin);
  });

  it('refuses custom field conditions other than is and is_not with a 422', async () => {
    await expect(
      views.create(
        {
          title: 'By field',
          conditions: { all: [{ field: 'custom_fields_12', operator: 'less_than', value: 'x' }] },
        },
        admin,
      ),
    ).rejects.toMatchObject({
      code: 'invalid',
      details: { conditions: ['custom_fields_12 takes the operators is, is_not'] },
    });
  });

  // Last: it adds thousands of closed tickets, so that the planner has a table worth indexing.
  it('counts the default views through an index on tickets', async () => {
    const dataSource = app.get(DataSource);
    const bulk = (await app.get(GroupService).create({ name: 'Archive' }, SYSTEM_ACTOR)).id;
    await join(admin, bulk);
    const at = clock.now();
    for (let chunk = 0; chunk < 6; chunk++) {
      const rows = Array.from({ length: 500 }, (_, i) => ({
        subject: `Archived ${chunk * 500 + i}`,
        status: 'closed' as const,
        priority: null,
        type: null,
        requesterId: endUser.id,
        submitterId: admin.id,
        assigneeId: admin.id,
        groupId: bulk,
        organizationId: null,
        problemId: null,
        dueAt: null,
        viaChannel: 'api' as const,
        externalId: null,
        isPublic: true,
        createdAt: at,
        updatedAt: new Date(at.getTime() - 30 * DAY),
        solvedAt: at,
        deletedAt: null,
      }));
      await dataSource.createQueryBuilder().insert().into(TicketEntity).values(rows).execute();
    }
    if (dataSource.options.type !== 'better-sqlite3')
      await dataSource.query('ANALYZE TABLE tickets');
    else await dataSource.query('ANALYZE');
    for (const key of DEFAULTS) {
      const plan = (await views.explainCount(defaults[key], agent)).join('\n');
      expect([key, plan]).toEqual([key, expect.stringMatching(/idx_tickets_/)]);
    }
  });

  it('reads a page of several statuses status by status, in the same order as one query', async () => {
    // Tickets of four statuses, many changed at the same instants: ties are broken by id.
    const at = [new Date('2026-10-01T10:00:00.000Z'), new Date('2026-10-02T10:00:00.000Z')];
    const statuses = ['new', 'open', 'pending', 'hold'] as const;
    const mine: number[] = [];
    for (let i = 0; i < 24; i++) {
      mine.push(
        await ticket(`Split ${i}`, {
          groupId: itGroup,
          assigneeId: i % 5 === 0 ? undefined : agent.id,
          priority: i % 3 === 0 ? null : 'high',
        }),
      );
    }
    const dataSource = app.get(DataSource);
    for (const [i, id] of mine.entries()) {
      await dataSource.getRepository(TicketEntity).update(id, {
        status: statuses[i % 4],
        updatedAt: at[i % 2],
      });
    }
    const repository = app.get(ViewRepository);
    const scope = await app.get(TicketService).scopeOf(agent);
    const filter = compileConditions(
      { all: [{ field: 'status', operator: 'less_than', value: 'solved' }], any: [] },
      { userId: agent.id, groupIds: [itGroup], now: new Date() },
    );
    expect(filter.statuses).toEqual(statuses);
    const split = jest.spyOn(
      repository as unknown as { pageByStatus: () => unknown },
      'pageByStatus',
    );
    for (const sortBy of ['updated_at', 'priority', 'id'] as const) {
      for (const sortOrder of ['asc', 'desc'] as const) {
        const execution = { ...defaults.my_open.execution, groupBy: null, sortBy, sortOrder };
        for (const [offset, limit] of [
          [0, 7],
          [5, 10],
          [20, 100],
        ]) {
          const whole = await repository.page(
            { ...filter, statuses: undefined },
            scope,
            execution,
            offset,
            limit,
          );
          const byStatus = await repository.page(filter, scope, execution, offset, limit);
          expect([sortBy, sortOrder, offset, byStatus.map((t) => t.id)]).toEqual([
            sortBy,
            sortOrder,
            offset,
            whole.map((t) => t.id),
          ]);
        }
      }
    }
    expect(split).toHaveBeenCalled();
    split.mockRestore();
  });
});
