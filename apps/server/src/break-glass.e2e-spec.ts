import { AuditLog } from '@steward/audit';

import { ANONYMOUS, type Body, type Caller, useApiHarness } from './testing/api-harness';

const REASON = 'Legal hold request from counsel, case 2026-114';
const GRANT_FIELDS = [
  'active',
  'created_at',
  'ended_at',
  'expires_at',
  'group_id',
  'id',
  'reason',
  'url',
  'user_id',
];

describe('/api/v2/groups/{id}/break_glass and /api/v2/break_glass_grants', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let otherAdmin: Caller;
  let agent: Caller;
  let endUser: Caller;
  let hr: number;
  let it_: number;

  async function group(name: string, confidential: boolean): Promise<number> {
    const res = await call(admin, 'POST', '/api/v2/groups.json', { group: { name, confidential } });
    expect(res.status).toBe(201);
    return (res.body.group as { id: number }).id;
  }

  async function open(groupId: number, who = admin): Promise<Body> {
    const res = await call(who, 'POST', `/api/v2/groups/${groupId}/break_glass`, {
      reason: REASON,
    });
    expect(res.status).toBe(201);
    return res.body.break_glass_grant as Body;
  }

  function grants(res: { body: Body }): Body[] {
    return res.body.break_glass_grants as Body[];
  }

  beforeEach(async () => {
    await api.reset();
    admin = await caller('admin@example.com', 'admin');
    otherAdmin = await caller('other-admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    endUser = await caller('eve@example.com', 'end-user');
    hr = await group('HR', true);
    it_ = await group('IT', false);
  });

  it('opens a grant for the calling admin, answers 201 with it, and audits the reason', async () => {
    for (const path of [
      `/api/v2/groups/${hr}/break_glass.json`,
      `/api/v2/groups/${hr}/break_glass`,
    ]) {
      const res = await call(admin, 'POST', path, { reason: `  ${REASON}  ` });
      expect(res.status).toBe(201);
      const grant = res.body.break_glass_grant as Body;
      expect(Object.keys(grant).sort()).toEqual(GRANT_FIELDS);
      expect(grant).toMatchObject({
        url: `${api.config.publicUrl}/api/v2/break_glass_grants/${String(grant.id)}.json`,
        user_id: admin.id,
        group_id: hr,
        reason: REASON,
        active: true,
        ended_at: null,
      });
      const lasts = Date.parse(grant.expires_at as string) - Date.parse(grant.created_at as string);
      expect(Math.abs(lasts - api.config.breakGlassTtlMs)).toBeLessThan(1_000);
    }
    const { entries } = await api.app.get(AuditLog).query({ action: 'break_glass.accessed' });
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      actorType: 'user',
      actorId: String(admin.id),
      targetType: 'group',
      targetId: String(hr),
      details: { reason: REASON },
    });
  });

  it('answers a bad reason or group with a 422 that names the field, and opens nothing', async () => {
    const cases: [unknown, string][] = [
      [{}, 'reason'],
      [{ reason: null }, 'reason'],
      [{ reason: 42 }, 'reason'],
      [{ reason: '   ' }, 'reason'],
      [{ reason: 'too short' }, 'reason'],
      [{ reason: 'x'.repeat(1001) }, 'reason'],
      [{ reason: 'needs access\u0007 for the case' }, 'reason'],
      ['not json at all', ''],
      [[REASON], 'reason'],
    ];
    for (const [body, field] of cases) {
      const res = await call(admin, 'POST', `/api/v2/groups/${hr}/break_glass`, body);
      if (field === '') {
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        continue;
      }
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({
        error: 'RecordInvalid',
        details: { [field]: [{ description: expect.any(String) as unknown }] },
      });
    }
    const notConfidential = await call(admin, 'POST', `/api/v2/groups/${it_}/break_glass`, {
      reason: REASON,
    });
    expect(notConfidential).toEqual({
      status: 422,
      body: {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: {
          group_id: [
            {
              description:
                'is not a confidential group; break-glass access is only needed for confidential groups',
            },
          ],
        },
      },
    });
    const missing = await call(admin, 'POST', '/api/v2/groups/99999999/break_glass', {
      reason: REASON,
    });
    expect(missing.status).toBe(422);
    expect(missing.body.details).toEqual({ group_id: [{ description: 'is not a group' }] });
    expect(
      (await call(admin, 'POST', '/api/v2/groups/abc/break_glass', { reason: REASON })).status,
    ).toBe(404);
    expect(grants(await call(admin, 'GET', '/api/v2/break_glass_grants.json'))).toEqual([]);
  });

  it('refuses agents and end users with 403 and anonymous callers with 401', async () => {
    const id = (await open(hr)).id as number;
    for (const who of [agent, endUser]) {
      expect(
        (await call(who, 'POST', `/api/v2/groups/${hr}/break_glass`, { reason: REASON })).status,
      ).toBe(403);
      expect((await call(who, 'GET', '/api/v2/break_glass_grants.json')).status).toBe(403);
      expect((await call(who, 'GET', `/api/v2/break_glass_grants/${id}.json`)).status).toBe(403);
      expect((await call(who, 'DELETE', `/api/v2/break_glass_grants/${id}.json`)).status).toBe(403);
    }
    expect((await call(ANONYMOUS, 'GET', '/api/v2/break_glass_grants.json')).status).toBe(401);
    expect(
      (await call(ANONYMOUS, 'POST', `/api/v2/groups/${hr}/break_glass`, { reason: REASON }))
        .status,
    ).toBe(401);
  });

  it("lists every admin's grants to every admin, filtered by group and activity, with pages", async () => {
    const legal = await group('Legal', true);
    const first = await open(hr);
    const second = await open(legal, otherAdmin);
    const third = await open(hr, otherAdmin);
    expect(
      (await call(admin, 'DELETE', `/api/v2/break_glass_grants/${String(first.id)}.json`)).status,
    ).toBe(204);
    const ids = async (query: string) =>
      grants(await call(admin, 'GET', `/api/v2/break_glass_grants.json${query}`)).map((g) => g.id);
    expect(await ids('')).toEqual([first.id, second.id, third.id]);
    expect(await ids(`?group_id=${hr}`)).toEqual([first.id, third.id]);
    expect(await ids('?active=true')).toEqual([second.id, third.id]);
    expect(await ids(`?group_id=${hr}&active=true`)).toEqual([third.id]);
    expect(await ids('?active=false')).toEqual([first.id, second.id, third.id]);

    const page = await call(
      otherAdmin,
      'GET',
      `/api/v2/break_glass_grants?group_id=${hr}&per_page=1`,
    );
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({
      count: 2,
      previous_page: null,
      next_page: `${api.config.publicUrl}/api/v2/break_glass_grants.json?page=2&per_page=1&group_id=${hr}`,
    });
    expect(grants(page)[0]).toMatchObject({ id: first.id, user_id: admin.id, active: false });

    const shown = await call(otherAdmin, 'GET', `/api/v2/break_glass_grants/${String(second.id)}`);
    expect(shown).toEqual({ status: 200, body: { break_glass_grant: second } });
    expect((await call(admin, 'GET', '/api/v2/break_glass_grants/99999999.json')).status).toBe(404);

    for (const query of ['?group_id=abc', '?group_id=0', '?active=yes', '?page=0']) {
      const res = await call(admin, 'GET', `/api/v2/break_glass_grants.json${query}`);
      expect(res.status).toBe(422);
    }
  });

  it('ends a grant early, audits it once, and answers 204 to ending it again', async () => {
    const grant = await open(hr);
    const path = `/api/v2/break_glass_grants/${String(grant.id)}.json`;
    expect(await call(otherAdmin, 'DELETE', path)).toEqual({ status: 204, body: {} });
    const shown = await call(admin, 'GET', path);
    expect(shown.body.break_glass_grant).toMatchObject({
      active: false,
      ended_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/) as unknown,
    });
    expect((await call(admin, 'DELETE', path)).status).toBe(204);
    expect((await call(admin, 'DELETE', '/api/v2/break_glass_grants/99999999')).status).toBe(404);
    const { entries } = await api.app.get(AuditLog).query({ action: 'break_glass.ended' });
    expect(entries).toEqual([
      expect.objectContaining({
        actorId: String(otherAdmin.id),
        targetType: 'group',
        targetId: String(hr),
        details: { grantId: grant.id, userId: admin.id },
      }),
    ]);
  });
});
