import type { INestApplicationContext } from '@nestjs/common';
import {
  GroupMembershipService,
  GroupService,
  SYSTEM_ACTOR,
  type UserEntity,
  type UserRole,
  UserService,
} from '@steward/identity';
import { Database } from '@steward/persistence';
import type { TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { startTicketsTestApp } from './testing/tickets-test-app';
import { TicketCountEntity } from './ticket-count.entity';
import { TicketCounts } from './ticket-counts';
import { TicketPrivacyRepository } from './ticket-privacy.repository';
import { type TicketActor, TicketService } from './ticket.service';
import { compileConditions } from './view-conditions';
import { ViewEntity } from './view.entity';
import { ViewRepository } from './view.repository';
import { ViewService } from './view.service';

/** Cells as `status|group|assignee` → tickets, without the empty ones. */
type Cells = Record<string, number>;

describe('ticket counts', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let tickets: TicketService;
  let admin: UserEntity;
  let agents: UserEntity[];
  let groups: number[];
  let actor: TicketActor;

  async function user(email: string, role: UserRole): Promise<UserEntity> {
    return (await app.get(UserService).createUser({ email, role, password: 'x'.repeat(16) })).user;
  }

  /** What the counts hold. */
  async function cells(): Promise<Cells> {
    const rows = await app.get(DataSource).getRepository(TicketCountEntity).find();
    const result: Cells = {};
    for (const row of rows) {
      if (row.tickets !== 0) {
        result[`${row.status}|${row.groupId ?? '-'}|${row.assigneeId ?? '-'}`] = row.tickets;
      }
    }
    return result;
  }

  /** What the tickets say the counts should hold. */
  async function truth(): Promise<Cells> {
    const rows = await app
      .get(DataSource)
      .query<Array<{ status: string; g: number | null; a: number | null; n: number | string }>>(
        'SELECT status, group_id AS g, assignee_id AS a, COUNT(*) AS n FROM tickets ' +
          'WHERE deleted_at IS NULL GROUP BY status, group_id, assignee_id',
      );
    const result: Cells = {};
    for (const row of rows) result[`${row.status}|${row.g ?? '-'}|${row.a ?? '-'}`] = Number(row.n);
    return result;
  }

  beforeAll(async () => {
    ({ app, setup } = await startTicketsTestApp());
    tickets = app.get(TicketService);
    admin = await user('admin@example.com', 'admin');
    actor = { user: admin, via: 'api' };
    agents = [await user('a1@example.com', 'agent'), await user('a2@example.com', 'agent')];
    groups = [];
    for (const name of ['IT', 'HR']) {
      groups.push((await app.get(GroupService).create({ name }, SYSTEM_ACTOR)).id);
    }
    for (const agent of agents) {
      for (const groupId of groups) {
        await app.get(GroupMembershipService).create({ userId: agent.id, groupId }, SYSTEM_ACTOR);
      }
    }
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  it('follows every create, change, delete and erasure of tickets exactly', async () => {
    // A fixed walk through the changes that move a ticket between cells.
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      const view = await tickets.create(
        {
          subject: `Ticket ${i}`,
          comment: { body: 'Hello' },
          groupId: i % 3 === 0 ? undefined : groups[i % 2],
          assigneeId: i % 2 === 0 ? agents[0].id : undefined,
        },
        actor,
      );
      ids.push(view.ticket.id);
      expect(await cells()).toEqual(await truth());
    }
    const changes: Array<[number, Parameters<TicketService['update']>[1]]> = [
      [ids[0], { status: 'pending' }],
      [ids[1], { assigneeId: agents[1].id }],
      [ids[2], { groupId: groups[1] }],
      [ids[1], { status: 'solved' }],
      [ids[3], { groupId: groups[0], assigneeId: agents[1].id, status: 'hold' }],
      [ids[4], { priority: 'high' }],
      [ids[0], { comment: { body: 'A note only', isPublic: false } }],
      [ids[5], { assigneeId: null }],
    ];
    for (const [id, input] of changes) {
      await tickets.update(id, input, actor);
      expect(await cells()).toEqual(await truth());
    }
    await tickets.delete(ids[2], actor);
    expect(await cells()).toEqual(await truth());
    await app.get(TicketPrivacyRepository).deleteTickets([ids[3], ids[2]]);
    expect(await cells()).toEqual(await truth());
    expect(Object.values(await cells()).reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('rolls back with the change that failed', async () => {
    const before = await cells();
    const view = await tickets.create(
      { subject: 'Doomed', comment: { body: 'x' }, groupId: groups[0] },
      actor,
    );
    const after = await cells();
    await expect(
      app.get(Database).transaction(async () => {
        await tickets.update(view.ticket.id, { status: 'open', assigneeId: agents[0].id }, actor);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await cells()).toEqual(after);
    expect(after).not.toEqual(before);
    expect(await cells()).toEqual(await truth());
  });

  it('stays exact when many changes of one ticket and many new tickets commit at once', async () => {
    const view = await tickets.create(
      { subject: 'Busy', comment: { body: 'x' }, groupId: groups[0] },
      actor,
    );
    const statuses = ['open', 'pending', 'hold', 'open', 'pending', 'hold', 'open', 'pending'];
    await Promise.all([
      ...statuses.map((status, i) =>
        tickets.update(view.ticket.id, { status, assigneeId: agents[i % 2].id }, actor),
      ),
      ...statuses.map((_, i) =>
        tickets.create({ subject: `New ${i}`, comment: { body: 'x' }, groupId: groups[0] }, actor),
      ),
    ]);
    expect(await cells()).toEqual(await truth());
  });

  it('counts the default views from the cells, the same as counting tickets', async () => {
    const views = await app.get(DataSource).getRepository(ViewEntity).find();
    const repository = app.get(ViewRepository);
    const sum = jest.spyOn(app.get(TicketCounts), 'sum');
    for (const who of [admin, ...agents]) {
      const groupIds = (await app.get(GroupMembershipService).listOfUsers([who.id])).map(
        (m) => m.groupId,
      );
      const scope = await tickets.scopeOf(who);
      for (const view of views) {
        const filter = compileConditions(view.conditions, {
          userId: who.id,
          groupIds,
          now: new Date(),
        });
        sum.mockClear();
        const fromCells = await repository.count(filter, scope);
        // Recently solved tests updated_at, which the cells do not hold.
        expect(sum).toHaveBeenCalledTimes(view.defaultKey === 'recently_solved' ? 0 : 1);
        // The same filter counted over the tickets: a field the cells lack sends it there.
        const fromTickets = await repository.count({ ...filter, fields: ['tags'] }, scope);
        expect(fromCells).toBe(fromTickets);
      }
    }
    expect(
      (
        await app.get(ViewService).count(
          views.find((v) => v.defaultKey === 'my_open')!,
          agents[0],
        )
      ).value,
    ).toBeGreaterThan(0);
    sum.mockRestore();
  });

  it('counts everything again on demand, after a load that bypassed them', async () => {
    await app.get(DataSource).query('DELETE FROM ticket_counts');
    expect(await cells()).toEqual({});
    await app.get(TicketCounts).recount();
    expect(await cells()).toEqual(await truth());
  });
});
