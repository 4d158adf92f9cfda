import type { INestApplicationContext } from '@nestjs/common';
import {
  GroupMembershipService,
  GroupService,
  SYSTEM_ACTOR,
  type UserEntity,
  UserService,
} from '@steward/identity';
import { Clock, ErrorCode } from '@steward/platform';
import type { TestSetup } from '@steward/testing';
import { startTicketsTestApp } from './testing/tickets-test-app';
import {
  EXPORT_SETTLE_MS,
  exportStartOf,
  type ExportPage,
  TicketExportService,
} from './ticket-export.service';
import type { ExportPosition } from './ticket.repository';
import { type TicketActor, TicketService } from './ticket.service';

class TestClock extends Clock {
  // A whole second, so that tests can place changes in seconds of their own.
  private current = Date.parse('2026-11-21T08:00:00.000Z');

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  /** To the start of the next whole second. */
  nextSecond(): void {
    this.current = (Math.floor(this.current / 1000) + 1) * 1000;
  }
}

const SETTLED = EXPORT_SETTLE_MS + 1;

describe('the incremental ticket export', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let tickets: TicketService;
  let exports: TicketExportService;
  let admin: UserEntity;
  let actor: TicketActor;
  const clock = new TestClock();
  /** Where every test starts: after what the tests before it made. */
  let start: ExportPosition;

  const create = async (subject: string, groupId?: number): Promise<number> =>
    (await tickets.create({ subject, comment: { body: subject }, groupId }, actor)).ticket.id;

  /** Every page from `after` to the end of the stream, `perPage` at a time. */
  const walk = async (
    after: ExportPosition,
    perPage: number,
  ): Promise<{ pages: ExportPage[]; ids: number[]; after: ExportPosition }> => {
    const pages: ExportPage[] = [];
    let position = after;
    for (;;) {
      const page = await exports.page(admin, position, perPage);
      pages.push(page);
      position = page.after;
      if (page.endOfStream) break;
      if (pages.length > 100) throw new Error('the export does not end');
    }
    return { pages, ids: pages.flatMap((p) => p.tickets.map((t) => t.ticket.id)), after: position };
  };

  beforeAll(async () => {
    ({ app, setup } = await startTicketsTestApp({ clock }));
    tickets = app.get(TicketService);
    exports = app.get(TicketExportService);
    admin = (await app.get(UserService).createUser({ email: 'admin@example.com', role: 'admin' }))
      .user;
    actor = { user: admin, via: 'api' };
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  beforeEach(async () => {
    clock.advance(10 * 60_000);
    clock.nextSecond();
    start = (await walk(exportStartOf(0), 1000)).after;
  });

  it('walks every ticket once, in the order they changed, when many share one updated_at', async () => {
    const first: number[] = [];
    for (let i = 0; i < 7; i++) first.push(await create(`same instant ${i}`));
    clock.advance(5);
    const second: number[] = [];
    for (let i = 0; i < 5; i++) second.push(await create(`next instant ${i}`));
    // Two of the first instant move to a third one, shared with nobody else.
    clock.advance(5);
    await tickets.update(first[1], { priority: 'high' }, actor);
    await tickets.update(first[4], { priority: 'high' }, actor);
    clock.advance(SETTLED);

    const { pages, ids } = await walk(start, 3);

    const expected = [
      ...first.filter((id) => id !== first[1] && id !== first[4]),
      ...second,
      first[1],
      first[4],
    ];
    expect(ids).toEqual(expected);
    // The last full page already knows it is the last.
    expect(pages.map((p) => p.tickets.length)).toEqual([3, 3, 3, 3]);
    expect(pages.map((p) => p.endOfStream)).toEqual([false, false, false, true]);
  });

  it('shows a ticket again, later in the stream, when it changes after it was read', async () => {
    const early = await create('early');
    const late = await create('late');
    clock.advance(SETTLED);
    const read = await walk(start, 1000);
    expect(read.ids).toEqual([early, late]);

    await tickets.update(early, { status: 'open' }, actor);
    clock.advance(SETTLED);
    const again = await walk(read.after, 1000);

    expect(again.ids).toEqual([early]);
    expect(again.pages[0].tickets[0].ticket.status).toBe('open');
  });

  it('leaves out the last minute of changes until it has passed', async () => {
    const settled = await create('settled');
    clock.advance(SETTLED);
    const fresh = await create('fresh');
    clock.advance(EXPORT_SETTLE_MS - 1_000);

    const now = await walk(start, 1000);
    expect(now.ids).toEqual([settled]);
    expect(now.pages.at(-1)?.endOfStream).toBe(true);

    clock.advance(2_000);
    expect((await walk(now.after, 1000)).ids).toEqual([fresh]);
  });

  it('shows deleted tickets, as deleted, with their tags and description', async () => {
    const id = (
      await tickets.create(
        { subject: 'gone', comment: { body: 'the first words' }, tags: ['printer'] },
        actor,
      )
    ).ticket.id;
    await tickets.delete(id, actor);
    clock.advance(SETTLED);

    const [view] = (await walk(start, 1000)).pages.flatMap((p) => p.tickets);

    expect(view.ticket.id).toBe(id);
    expect(view.ticket.deletedAt).not.toBeNull();
    expect(view).toMatchObject({ tags: ['printer'], description: 'the first words' });
  });

  it('leaves out the tickets of confidential groups the caller is not in, deleted or not', async () => {
    const hr = await app.get(GroupService).create({ name: 'HR', confidential: true }, SYSTEM_ACTOR);
    const hrAdmin = (
      await app.get(UserService).createUser({ email: 'hr-admin@example.com', role: 'admin' })
    ).user;
    await app
      .get(GroupMembershipService)
      .create({ userId: hrAdmin.id, groupId: hr.id }, SYSTEM_ACTOR);
    const hrActor: TicketActor = { user: hrAdmin, via: 'api' };
    const open = await create('open');
    const secret = (
      await tickets.create({ subject: 'secret', comment: { body: 'x' }, groupId: hr.id }, hrActor)
    ).ticket.id;
    const deletedSecret = (
      await tickets.create({ subject: 'gone', comment: { body: 'x' }, groupId: hr.id }, hrActor)
    ).ticket.id;
    await tickets.delete(deletedSecret, hrActor);
    clock.advance(SETTLED);

    expect((await walk(start, 1000)).ids).toEqual([open]);
    // A member of the group exports them, the deleted one too.
    const member = await exports.page(hrAdmin, start, 1000);
    expect(member.tickets.map((t) => t.ticket.id)).toEqual([open, secret, deletedSecret]);
  });

  it('refuses agents, even those who read every group', async () => {
    const agent = (
      await app.get(UserService).createUser({ email: 'agent@example.com', role: 'agent' })
    ).user;
    await expect(exports.page(agent, start, 10)).rejects.toMatchObject({
      code: ErrorCode.Forbidden,
    });
    await expect(exports.since(agent, 0, 10)).rejects.toMatchObject({
      code: ErrorCode.Forbidden,
    });
  });

  describe('by time (start_time, end_time)', () => {
    const seconds = (page: { endTime: number }) => page.endTime;

    it('ends a page on a whole second, so the next starts there without gaps or repeats', async () => {
      const startTime = Math.floor(clock.now().getTime() / 1000);
      const inFirst = [await create('a1'), await create('a2')];
      clock.nextSecond();
      const inSecond = [await create('b1'), await create('b2')];
      clock.nextSecond();
      const inThird = [await create('c1')];
      clock.advance(SETTLED);

      const page1 = await exports.since(admin, startTime, 3);
      expect(page1.tickets.map((t) => t.ticket.id)).toEqual(inFirst);
      expect(page1).toMatchObject({ endTime: startTime + 1, endOfStream: false });

      const page2 = await exports.since(admin, seconds(page1), 3);
      expect(page2.tickets.map((t) => t.ticket.id)).toEqual([...inSecond, ...inThird]);
      expect(page2.endOfStream).toBe(true);
      expect(page2.endTime).toBe(Math.floor((clock.now().getTime() - EXPORT_SETTLE_MS) / 1000));
    });

    it('gives a second with more tickets than a page all of them, then moves past it', async () => {
      const startTime = Math.floor(clock.now().getTime() / 1000);
      const crowded: number[] = [];
      for (let i = 0; i < 5; i++) crowded.push(await create(`crowd ${i}`));
      clock.nextSecond();
      const after = await create('after');
      clock.advance(SETTLED);

      const page1 = await exports.since(admin, startTime, 2);
      expect(page1.tickets.map((t) => t.ticket.id)).toEqual(crowded);
      expect(page1).toMatchObject({ endTime: startTime + 1, endOfStream: false });

      const page2 = await exports.since(admin, page1.endTime, 2);
      expect(page2.tickets.map((t) => t.ticket.id)).toEqual([after]);
      expect(page2.endOfStream).toBe(true);
    });

    it('gives nothing, and the same start time, for a start within the last minute', async () => {
      await create('too fresh');
      const startTime = Math.floor(clock.now().getTime() / 1000);

      const page = await exports.since(admin, startTime, 10);

      expect(page).toMatchObject({ tickets: [], endTime: startTime, endOfStream: true });
    });
  });
});
