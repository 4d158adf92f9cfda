import { GroupMembershipService, GroupService, SYSTEM_ACTOR } from '@steward/identity';
import { Database } from '@steward/persistence';
import { TicketEntity } from '@steward/tickets';
import { In } from 'typeorm';
import { type Body, type Caller, useApiHarness } from './testing/api-harness';

interface CursorPage {
  tickets: Array<{ id: number }>;
  meta: { has_more: boolean; after_cursor: string | null; before_cursor: string | null };
  links: { next: string | null; prev: string | null };
}

describe('cursor pagination of ticket lists (page[size], page[after], page[before])', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let agent: Caller;
  let visible: number[];
  let hidden: number;

  /** The path of an absolute link the API gave. */
  const pathOf = (link: string) => link.slice(api.config.publicUrl.length);

  async function walk(first: string): Promise<{ ids: number[]; pages: CursorPage[] }> {
    const pages: CursorPage[] = [];
    let next: string | null = first;
    while (next !== null) {
      const res = await call(agent, 'GET', next);
      expect(res.status).toBe(200);
      const page = res.body as unknown as CursorPage;
      pages.push(page);
      next = page.links.next === null ? null : pathOf(page.links.next);
      if (pages.length > 20) throw new Error('the walk does not end');
    }
    return { ids: pages.flatMap((p) => p.tickets.map((t) => t.id)), pages };
  }

  async function offsetOrder(sort: string): Promise<number[]> {
    const res = await call(agent, 'GET', `/api/v2/tickets.json?per_page=100${sort}`);
    expect(res.status).toBe(200);
    return (res.body.tickets as Array<{ id: number }>).map((t) => t.id);
  }

  beforeAll(async () => {
    const admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    const groups = api.app.get(GroupService);
    const it = (await groups.create({ name: 'IT' }, SYSTEM_ACTOR)).id;
    const hr = (await groups.create({ name: 'HR', confidential: true }, SYSTEM_ACTOR)).id;
    await api.app
      .get(GroupMembershipService)
      .create({ userId: agent.id, groupId: it }, SYSTEM_ACTOR);
    const priorities = ['high', null, 'low', 'high', null, 'urgent', 'high'];
    visible = [];
    for (const [i, priority] of priorities.entries()) {
      const res = await call(admin, 'POST', '/api/v2/tickets.json', {
        ticket: { subject: `Ticket ${i}`, comment: { body: 'Hello' }, group_id: it, priority },
      });
      expect(res.status).toBe(201);
      visible.push((res.body.ticket as { id: number }).id);
    }
    const confidential = await call(admin, 'POST', '/api/v2/tickets.json', {
      ticket: { subject: 'Salary', comment: { body: 'Private' }, group_id: hr },
    });
    hidden = (confidential.body.ticket as { id: number }).id;
    // Five tickets changed at one instant: the cursor must break the tie by id.
    await api.app
      .get(Database)
      .run((m) =>
        m.update(
          TicketEntity,
          { id: In(visible.slice(1, 6)) },
          { updatedAt: new Date('2026-03-01T10:00:00.000Z') },
        ),
      );
  });

  it.each([
    ['id, ascending', ''],
    ['updated_at, newest first', '&sort_by=updated_at&sort_order=desc'],
    ['updated_at, oldest first', '&sort_by=updated_at&sort_order=asc'],
    ['priority, with empty ones', '&sort_by=priority&sort_order=asc'],
    ['priority, descending', '&sort_by=priority&sort_order=desc'],
    ['status', '&sort_by=status&sort_order=desc'],
  ])('walks every visible ticket once, forward and back, by %s', async (_, sort) => {
    const expected = await offsetOrder(sort);
    expect([...expected].sort((a, b) => a - b)).toEqual(visible);
    const forward = await walk(`/api/v2/tickets.json?page%5Bsize%5D=2${sort}`);
    expect(forward.ids).toEqual(expected);
    expect(forward.ids).not.toContain(hidden);
    expect(forward.pages).toHaveLength(4);
    expect(forward.pages.map((p) => p.meta.has_more)).toEqual([true, true, true, false]);
    expect(forward.pages[0].links.prev).toBeNull();

    // Back from the last page: the pages before it, in the list's order within each page.
    const last = forward.pages[forward.pages.length - 1];
    const back: number[][] = [];
    let prev = last.links.prev;
    while (prev !== null) {
      const res = await call(agent, 'GET', pathOf(prev));
      expect(res.status).toBe(200);
      const page = res.body as unknown as CursorPage;
      back.unshift(page.tickets.map((t) => t.id));
      prev = page.links.prev;
      if (back.length > 20) throw new Error('the walk back does not end');
    }
    expect([...back.flat(), ...last.tickets.map((t) => t.id)]).toEqual(expected);
  });

  it('gives the cursors of a page in meta, and no count', async () => {
    const res = await call(agent, 'GET', '/api/v2/tickets.json?page%5Bsize%5D=3');
    expect(res.status).toBe(200);
    const page = res.body as unknown as CursorPage & Body;
    expect(page.tickets.map((t) => t.id)).toEqual(visible.slice(0, 3));
    expect(page.meta.after_cursor).toEqual(expect.any(String));
    expect(page.meta.before_cursor).toEqual(expect.any(String));
    expect(page.count).toBeUndefined();
    const after = await call(
      agent,
      'GET',
      `/api/v2/tickets.json?page%5Bsize%5D=3&page%5Bafter%5D=${page.meta.after_cursor}`,
    );
    expect((after.body.tickets as Array<{ id: number }>).map((t) => t.id)).toEqual(
      visible.slice(3, 6),
    );
  });

  it('pages the lists of a user and an organization the same way', async () => {
    const res = await call(
      agent,
      'GET',
      `/api/v2/users/${agent.id}/tickets/requested.json?page%5Bsize%5D=2`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tickets: [], meta: { has_more: false } });
  });

  it.each([
    ['a size of 0', 'page%5Bsize%5D=0'],
    ['a size that is no number', 'page%5Bsize%5D=abc'],
    ['a cursor that is not one', 'page%5Bafter%5D=not-a-cursor'],
    ['a cursor of JSON that is no cursor', `page%5Bafter%5D=${b64('{"a":1}')}`],
    ['a cursor with a bad id', `page%5Bafter%5D=${b64('["id",null,-4]')}`],
    [
      'a cursor with a bad date',
      `page%5Bafter%5D=${b64('["updated_at","yesterday",4]')}&sort_by=updated_at`,
    ],
    ['a cursor of another sort', `page%5Bafter%5D=${b64('["id",null,4]')}&sort_by=updated_at`],
    [
      'after and before together',
      `page%5Bafter%5D=${b64('["id",null,4]')}&page%5Bbefore%5D=${b64('["id",null,4]')}`,
    ],
    ['a very long cursor', `page%5Bafter%5D=${'A'.repeat(5000)}`],
    ['a repeated size', 'page%5Bsize%5D=2&page%5Bsize%5D=3'],
  ])('answers 400 for %s', async (_, query) => {
    const res = await call(agent, 'GET', `/api/v2/tickets.json?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('InvalidRequest');
  });
});

function b64(text: string): string {
  return Buffer.from(text).toString('base64url');
}
