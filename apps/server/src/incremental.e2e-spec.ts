import type { INestApplication } from '@nestjs/common';
import { ApiTokenService, type UserRole, UserService } from '@steward/identity';
import { Clock, createLogger } from '@steward/platform';
import { createTestSetup, LogCapture, type TestSetup } from '@steward/testing';
import { createServer } from './create-server';
import { INCREMENTAL_EXPORT_RATE_LIMIT } from './tickets/incremental-rate-limit.guard';

class TestClock extends Clock {
  private current = 1_800_000_000_000;

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  /** To the start of the next minute: a rate-limit window of its own. */
  nextMinute(): void {
    this.current = (Math.floor(this.current / 60_000) + 1) * 60_000;
  }

  seconds(): number {
    return Math.floor(this.current / 1000);
  }
}

/** Past the minute the export leaves out. */
const SETTLE = 61_000;

type Body = Record<string, unknown>;
type Ticket = { id: number; status: string; updated_at: string; generated_timestamp: number };

describe('the incremental ticket export API', () => {
  let setup: TestSetup;
  let app: INestApplication;
  let base: string;
  const clock = new TestClock();
  let admin: string;
  let hrAdmin: string;
  let agent: string;
  let endUser: string;
  let hrGroup: number;

  async function caller(email: string, role: UserRole): Promise<string> {
    const { user } = await app.get(UserService).createUser({ email, role });
    return `Bearer ${(await app.get(ApiTokenService).create(user.id, 'test')).token}`;
  }

  async function call(
    auth: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Body; headers: Headers }> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: auth } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as Body) : {},
      headers: res.headers,
    };
  }

  const get = (auth: string, path: string) => call(auth, 'GET', path);

  /** A link of a page, on the server under test (the configured public URL may differ). */
  const local = (link: unknown): string => {
    const url = new URL(String(link));
    return `${url.pathname}${url.search}`;
  };

  async function create(subject: string, auth = admin, extra: Body = {}): Promise<number> {
    const res = await call(auth, 'POST', '/api/v2/tickets.json', {
      ticket: { subject, comment: { body: `about ${subject}` }, ...extra },
    });
    expect(res.status).toBe(201);
    return Number((res.body.ticket as Body).id);
  }

  /** Follows after_url from `path` to the end of the stream. */
  async function walk(auth: string, path: string): Promise<{ pages: Body[]; tickets: Ticket[] }> {
    const pages: Body[] = [];
    let next = path;
    for (;;) {
      const res = await get(auth, next);
      expect(res.status).toBe(200);
      pages.push(res.body);
      if (res.body.end_of_stream === true) break;
      next = local(res.body.after_url);
      if (pages.length >= INCREMENTAL_EXPORT_RATE_LIMIT) throw new Error('too many pages');
    }
    return { pages, tickets: pages.flatMap((page) => page.tickets as Ticket[]) };
  }

  beforeAll(async () => {
    setup = await createTestSetup();
    app = await createServer({
      config: setup.config,
      secrets: setup.secrets,
      logger: createLogger('warn', new LogCapture()),
      clock,
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    admin = await caller('admin@example.com', 'admin');
    hrAdmin = await caller('hr-admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    endUser = await caller('eve@example.com', 'end-user');
    const hr = await call(admin, 'POST', '/api/v2/groups.json', {
      group: { name: 'HR', confidential: true },
    });
    hrGroup = Number((hr.body.group as Body).id);
    const me = (await get(hrAdmin, '/api/v2/users/me.json')).body.user as Body;
    await call(admin, 'POST', '/api/v2/group_memberships.json', {
      group_membership: { user_id: me.id, group_id: hrGroup },
    });
  });

  // Each test starts in a rate-limit window of its own, with everything before it settled.
  beforeEach(() => clock.nextMinute());

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  it('walks every ticket once through after_url, in Zendesk’s shape, when many change at once', async () => {
    const start = clock.seconds();
    const ids: number[] = [];
    // No clock movement: every ticket has the same updated_at.
    for (let i = 0; i < 7; i++) ids.push(await create(`at once ${i}`));
    clock.advance(SETTLE);

    const { pages, tickets } = await walk(
      admin,
      `/api/v2/incremental/tickets/cursor.json?start_time=${start}&per_page=3`,
    );

    expect(tickets.map((t) => t.id)).toEqual(ids);
    expect(pages.map((page) => (page.tickets as Ticket[]).length)).toEqual([3, 3, 1]);
    expect(pages.at(-1)).toMatchObject({
      end_of_stream: true,
      before_url: null,
      before_cursor: null,
      after_cursor: expect.any(String) as unknown,
    });
    expect(String(pages[0].after_url)).toMatch(
      /\/api\/v2\/incremental\/tickets\/cursor\.json\?cursor=[\w-]+&per_page=3$/,
    );
    expect(tickets[0]).toMatchObject({
      status: 'new',
      subject: 'at once 0',
      description: 'about at once 0',
      generated_timestamp: Math.floor(Date.parse(tickets[0].updated_at) / 1000),
    });
    expect(tickets[0]).not.toHaveProperty('comments');
  });

  it('brings a ticket changed after it was read, and deleted tickets, in a later request', async () => {
    const start = clock.seconds();
    const kept = await create('kept');
    const gone = await create('gone');
    clock.advance(SETTLE);
    const first = await walk(admin, `/api/v2/incremental/tickets/cursor.json?start_time=${start}`);
    expect(first.tickets.map((t) => t.id)).toEqual([kept, gone]);
    const resume = local(first.pages.at(-1)?.after_url);

    expect(
      (await call(admin, 'PUT', `/api/v2/tickets/${kept}.json`, { ticket: { status: 'open' } }))
        .status,
    ).toBe(200);
    clock.advance(1_000);
    expect((await call(admin, 'DELETE', `/api/v2/tickets/${gone}.json`)).status).toBe(204);
    // Within the last minute: not yet.
    const early = await get(admin, resume);
    expect(early.body).toMatchObject({ tickets: [], end_of_stream: true });
    clock.advance(SETTLE);

    const later = await walk(admin, resume);
    expect(later.tickets.map((t) => [t.id, t.status])).toEqual([
      [kept, 'open'],
      [gone, 'deleted'],
    ]);
  });

  it('leaves out confidential groups the admin is not in', async () => {
    const start = clock.seconds();
    const open = await create('open');
    const secret = await create('secret', hrAdmin, { group_id: hrGroup });
    clock.advance(SETTLE);
    const path = `/api/v2/incremental/tickets/cursor.json?start_time=${start}`;

    expect((await walk(admin, path)).tickets.map((t) => t.id)).toEqual([open]);
    expect((await walk(hrAdmin, path)).tickets.map((t) => t.id)).toEqual([open, secret]);
    const byTime = await get(admin, `/api/v2/incremental/tickets.json?start_time=${start}`);
    expect((byTime.body.tickets as Ticket[]).map((t) => t.id)).toEqual([open]);
  });

  it('is for admins only', async () => {
    for (const path of [
      '/api/v2/incremental/tickets/cursor.json?start_time=0',
      '/api/v2/incremental/tickets.json?start_time=0',
    ]) {
      expect((await get(agent, path)).status).toBe(403);
      expect((await get(endUser, path)).status).toBe(403);
      expect((await get('', path)).status).toBe(401);
    }
  });

  it.each([
    ['no start_time', 'cursor.json', 'start_time is required'],
    ['a negative start_time', 'cursor.json?start_time=-1', 'start_time must be a Unix time'],
    ['a start_time that is not a number', 'tickets.json?start_time=yesterday', 'start_time must'],
    ['a start_time in the future', 'cursor.json?start_time=FUTURE', 'start_time is in the future'],
    ['a garbage cursor', 'cursor.json?cursor=not*a*cursor', 'cursor is not valid'],
    ['a cursor that is not JSON', `cursor.json?cursor=${b64('{"t":1,')}`, 'cursor is not valid'],
    ['a cursor with a wrong field', `cursor.json?cursor=${b64('{"t":"x","i":1}')}`, 'cursor is'],
    ['a cursor with a negative id', `cursor.json?cursor=${b64('{"t":1,"i":-4}')}`, 'cursor is'],
    ['a cursor given twice', 'cursor.json?cursor=a&cursor=b', 'cursor must be given once'],
    ['per_page 0', 'tickets.json?start_time=0&per_page=0', 'per_page must be'],
  ])('answers %s with a 400 that says what is wrong', async (_name, query, message) => {
    const path = query.startsWith('tickets.json')
      ? `/api/v2/incremental/${query}`
      : `/api/v2/incremental/tickets/${query.replace('FUTURE', String(clock.seconds() + 60))}`;
    const res = await get(admin, path);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'InvalidRequest',
      description: expect.stringContaining(message) as unknown,
    });
  });

  it('answers a well-formed cursor at the end of time with an empty last page', async () => {
    const cursor = b64('{"t":253402300799999,"i":9007199254740991}');
    const res = await get(admin, `/api/v2/incremental/tickets/cursor.json?cursor=${cursor}`);
    expect([res.status, res.body.tickets, res.body.end_of_stream]).toEqual([200, [], true]);
    expect(res.body.after_cursor).toBe(cursor);
  });

  it('pages by time with next_page, end_time and count', async () => {
    const start = clock.seconds();
    const first = [await create('t1'), await create('t2')];
    clock.advance(1_000);
    const second = [await create('t3')];
    clock.advance(SETTLE);

    const page1 = await get(
      admin,
      `/api/v2/incremental/tickets.json?start_time=${start}&per_page=2`,
    );
    expect(page1.body).toMatchObject({ count: 2, end_time: start + 1, end_of_stream: false });
    expect((page1.body.tickets as Ticket[]).map((t) => t.id)).toEqual(first);
    expect(String(page1.body.next_page)).toMatch(
      new RegExp(`/api/v2/incremental/tickets\\.json\\?start_time=${start + 1}&per_page=2$`),
    );
    const page2 = await get(admin, local(page1.body.next_page));
    expect(page2.body).toMatchObject({ count: 1, end_of_stream: true });
    expect((page2.body.tickets as Ticket[]).map((t) => t.id)).toEqual(second);
  });

  it(`allows ${INCREMENTAL_EXPORT_RATE_LIMIT} exports a minute per user, then answers 429`, async () => {
    const path = '/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=1';
    for (let i = 0; i < INCREMENTAL_EXPORT_RATE_LIMIT; i++) {
      expect((await get(admin, path)).status).toBe(200);
    }
    const refused = await get(admin, '/api/v2/incremental/tickets.json?start_time=0');
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '60']);
    expect(refused.body).toEqual({
      error: 'TooManyRequests',
      description: expect.stringContaining('at most 10 requests a minute') as unknown,
    });
    // The rest of the API, and other admins, are not held up.
    expect((await get(admin, '/api/v2/tickets.json')).status).toBe(200);
    expect((await get(hrAdmin, path)).status).toBe(200);
    clock.advance(60_000);
    expect((await get(admin, path)).status).toBe(200);
  });
});

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
