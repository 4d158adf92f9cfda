import type { INestApplicationContext } from '@nestjs/common';
import { SYSTEM_ACTOR, GroupMembershipService, GroupService, UserService } from '@steward/identity';
import { Clock } from '@steward/platform';
import type { TestSetup } from '@steward/testing';
import { startTicketsTestApp } from './testing/tickets-test-app';
import { TicketLifecycleService } from './ticket-lifecycle.service';
import { TicketService } from './ticket.service';

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

describe('closing solved tickets', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  const clock = new TestClock();

  beforeAll(async () => {
    ({ app, setup } = await startTicketsTestApp({ clock }));
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  it('closes tickets four days after they were solved, as Steward, and no sooner', async () => {
    const agent = (
      await app
        .get(UserService)
        .createUser({ email: 'agent@example.com', role: 'agent', password: 'x'.repeat(16) })
    ).user;
    const group = await app.get(GroupService).create({ name: 'IT' }, SYSTEM_ACTOR);
    await app
      .get(GroupMembershipService)
      .create({ userId: agent.id, groupId: group.id }, SYSTEM_ACTOR);
    const tickets = app.get(TicketService);
    const actor = { user: agent, via: 'api' as const };
    const early = await tickets.create(
      { subject: 'a', comment: { body: 'a' }, groupId: group.id },
      actor,
    );
    const late = await tickets.create(
      { subject: 'b', comment: { body: 'b' }, groupId: group.id },
      actor,
    );
    const open = await tickets.create(
      { subject: 'c', comment: { body: 'c' }, groupId: group.id },
      actor,
    );
    await tickets.update(early.ticket.id, { status: 'solved' }, actor);
    clock.advance(2 * DAY);
    await tickets.update(late.ticket.id, { status: 'solved' }, actor);
    clock.advance(2 * DAY + 1);

    await expect(app.get(TicketLifecycleService).closeSolved()).resolves.toBe(1);
    const status = async (id: number) => (await tickets.show(id, agent)).ticket.status;
    expect(await status(early.ticket.id)).toBe('closed');
    expect(await status(late.ticket.id)).toBe('solved');
    expect(await status(open.ticket.id)).toBe('new');
    const { audits } = await tickets.audits(early.ticket.id, agent, { offset: 0, perPage: 10 });
    expect(audits.at(-1)?.audit).toMatchObject({ authorId: null, viaChannel: 'system' });
    await expect(app.get(TicketLifecycleService).closeSolved()).resolves.toBe(0);
  });
});
