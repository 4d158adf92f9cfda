import type { INestApplication } from '@nestjs/common';
import { ApiTokenService, UserService, type UserEntity, type UserRole } from '@steward/identity';
import { createLogger } from '@steward/platform';
import { PrivacyRegistry } from '@steward/privacy';
import { createTestSetup, LogCapture, type TestSetup } from '@steward/testing';
import { createServer } from './create-server';

const UNAUTHENTICATED = { error: "Couldn't authenticate you" };
const ZENDESK_USER_FIELDS = [
  'active',
  'alias',
  'created_at',
  'custom_role_id',
  'default_group_id',
  'details',
  'email',
  'external_id',
  'iana_time_zone',
  'id',
  'last_login_at',
  'locale',
  'locale_id',
  'moderator',
  'name',
  'notes',
  'only_private_comments',
  'organization_id',
  'phone',
  'photo',
  'restricted_agent',
  'role',
  'role_type',
  'shared',
  'shared_agent',
  'signature',
  'suspended',
  'tags',
  'ticket_restriction',
  'time_zone',
  'two_factor_auth_enabled',
  'updated_at',
  'url',
  'user_fields',
  'verified',
];
const ZENDESK_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function basic(email: string, token: string): string {
  return `Basic ${Buffer.from(`${email}/token:${token}`, 'utf8').toString('base64')}`;
}

describe('GET /api/v2/users/me.json with API tokens', () => {
  let setup: TestSetup;
  let app: INestApplication;
  let base: string;
  const logs = new LogCapture();
  /** Every token this file creates, to prove none reaches the log. */
  const issued: string[] = [];

  async function userWithToken(
    email: string,
    role: UserRole,
  ): Promise<{ user: UserEntity; token: string; id: number }> {
    const { user } = await app.get(UserService).createUser({ email, role });
    const created = await app.get(ApiTokenService).create(user.id, `${role} script`);
    issued.push(created.token);
    return { user, ...created };
  }

  function me(authorization?: string, path = '/api/v2/users/me.json'): Promise<Response> {
    return fetch(`${base}${path}`, {
      headers: authorization === undefined ? {} : { authorization },
    });
  }

  async function expectUnauthenticated(response: Response): Promise<void> {
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="Steward API"/);
    expect(await response.json()).toEqual(UNAUTHENTICATED);
  }

  beforeAll(async () => {
    setup = await createTestSetup();
    app = await createServer({
      config: setup.config,
      secrets: setup.secrets,
      logger: createLogger('debug', logs),
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  it('returns the admin for curl -u admin@example.com/token:TOKEN, in the Zendesk user shape', async () => {
    const { user, token } = await userWithToken('admin@example.com', 'admin');
    const res = await me(basic('admin@example.com', token));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['user']);
    expect(Object.keys(body.user).sort()).toEqual(ZENDESK_USER_FIELDS);
    expect(body.user).toMatchObject({
      id: user.id,
      url: `${setup.config.publicUrl}/api/v2/users/${user.id}.json`,
      email: 'admin@example.com',
      name: 'admin',
      role: 'admin',
      active: true,
      suspended: false,
      tags: [],
      user_fields: {},
    });
    expect(body.user.created_at).toMatch(ZENDESK_TIME);
    expect(body.user.updated_at).toMatch(ZENDESK_TIME);
  });

  it('takes the same token as a Bearer token, and answers without the .json suffix too', async () => {
    const { user, token } = await userWithToken('bearer@example.com', 'agent');
    for (const path of ['/api/v2/users/me.json', '/api/v2/users/me']) {
      const res = await me(`Bearer ${token}`, path);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ user: { id: user.id, role: 'agent' } });
    }
  });

  it("lets an end user's token read /me", async () => {
    const { user, token } = await userWithToken('eve@example.com', 'end-user');
    const res = await me(basic('EVE@example.com', token));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      user: { id: user.id, role: 'end-user', ticket_restriction: 'requested' },
    });
  });

  describe('answers 401 with the Zendesk body, never 500', () => {
    let token: string;

    beforeAll(async () => {
      ({ token } = await userWithToken('victim@example.com', 'admin'));
      await app.get(UserService).createUser({ email: 'other@example.com', role: 'admin' });
    });

    it.each<[string, () => string | undefined]>([
      ['no credentials', () => undefined],
      ['an unknown token', () => `Bearer stw_${'A'.repeat(43)}`],
      [
        'an unknown token in the Basic form',
        () => basic('victim@example.com', `stw_${'B'.repeat(43)}`),
      ],
      ["a valid token with another user's email", () => basic('other@example.com', token)],
      ['a valid token with an email nobody has', () => basic('nobody@example.com', token)],
      ['a Basic header that is not base64', () => 'Basic %%%not-base64%%%'],
      [
        'a Basic email and password instead of a token',
        () => `Basic ${Buffer.from('victim@example.com:hunter2').toString('base64')}`,
      ],
      ['an empty Bearer', () => 'Bearer '],
      ['an unknown scheme', () => `Token ${token}`],
      ['a huge header (10 KB)', () => `Bearer ${'x'.repeat(10_240)}`],
      ['a huge Basic header (10 KB)', () => basic('victim@example.com', 'y'.repeat(7_600))],
    ])('for %s', async (_case, header) => {
      await expectUnauthenticated(await me(header()));
    });

    it('the same for an unknown email as for a known one', async () => {
      const known = await me(basic('victim@example.com', `stw_${'C'.repeat(43)}`));
      const unknown = await me(basic('nobody@example.com', `stw_${'C'.repeat(43)}`));
      expect([known.status, await known.text()]).toEqual([401, await unknown.text()]);
    });

    it('refuses a header beyond the HTTP server limit without a 500', async () => {
      const res = await me(`Bearer ${'z'.repeat(20_000)}`);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    });
  });

  it('refuses a token from the moment it is revoked', async () => {
    const { id, token } = await userWithToken('revoked@example.com', 'agent');
    expect((await me(`Bearer ${token}`)).status).toBe(200);
    await app.get(ApiTokenService).revoke(id);
    await expectUnauthenticated(await me(`Bearer ${token}`));
    await expectUnauthenticated(await me(basic('revoked@example.com', token)));
  });

  it('refuses the token of a user whose data was erased', async () => {
    const { token } = await userWithToken('erased@example.com', 'agent');
    expect((await me(`Bearer ${token}`)).status).toBe(200);
    const identity = app
      .get(PrivacyRegistry)
      .contributors()
      .find((c) => c.name === 'identity');
    await identity?.eraseSubject({ emails: ['erased@example.com'] }, { label: 'Erased user 9' });
    await expectUnauthenticated(await me(`Bearer ${token}`));
  });

  it('never writes a token to the log, whether it was accepted or refused', async () => {
    const { token } = await userWithToken('logged@example.com', 'admin');
    await me(`Bearer ${token}`);
    await me(basic('logged@example.com', token));
    await me(basic('wrong@example.com', token));
    const text = logs.text();
    expect(logs.lines().some((l) => JSON.stringify(l).includes('/api/v2/users/me'))).toBe(true);
    expect(issued.length).toBeGreaterThan(5);
    for (const issuedToken of issued) {
      expect(text).not.toContain(issuedToken);
      expect(text).not.toContain(issuedToken.slice(4, 20));
    }
  });
});
