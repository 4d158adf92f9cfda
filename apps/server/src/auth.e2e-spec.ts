import type { INestApplication } from '@nestjs/common';
import { AuditEntryEntity } from '@steward/audit';
import {
  ApiTokenService,
  hashSessionToken,
  PasswordResetService,
  SessionStore,
  UserEntity,
  UserService,
} from '@steward/identity';
import { Clock, createLogger } from '@steward/platform';
import { createTestSetup, LogCapture, type TestSetup } from '@steward/testing';
import { hash } from 'bcrypt';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { createServer } from './create-server';

class TestClock extends Clock {
  private current = new Date('2026-11-21T08:00:00.000Z');

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

const MINUTE = 60_000;
const PASSWORD = 'a long and unusual passphrase';
const UNAUTHENTICATED = { error: "Couldn't authenticate you" };
const CSRF_REFUSED = { error: 'Forbidden', description: 'CSRF token missing or invalid' };

interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly attributes: Map<string, string>;
}

function setCookies(response: Response): Cookie[] {
  return response.headers.getSetCookie().map((line) => {
    const [pair = '', ...rest] = line.split(';').map((part) => part.trim());
    const equals = pair.indexOf('=');
    const attributes = new Map(
      rest.map((part) => {
        const [key = '', value = ''] = part.split('=');
        return [key.toLowerCase(), value] as const;
      }),
    );
    return { name: pair.slice(0, equals), value: pair.slice(equals + 1), attributes };
  });
}

interface SignedIn {
  readonly response: Response;
  readonly cookie: string;
  readonly token: string;
  readonly csrf: string;
}

describe('web sign-in with session cookies', () => {
  let setup: TestSetup;
  let app: INestApplication;
  let base: string;
  let origin: string;
  const clock = new TestClock();
  const logs = new LogCapture();
  const issued: string[] = [];
  let counter = 0;

  async function user(options: { mustChange?: boolean; role?: 'agent' | 'admin' } = {}) {
    counter += 1;
    const email = `person${counter}@example.com`;
    const created = await app.get(UserService).createUser({
      email,
      role: options.role ?? 'agent',
      password: options.mustChange ? undefined : PASSWORD,
    });
    return { email, user: created.user, password: created.oneTimePassword ?? PASSWORD };
  }

  function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  async function signIn(email: string, password: string): Promise<SignedIn> {
    const response = await post('/api/v2/session', { email, password });
    const cookies = setCookies(response);
    const token = cookies.find((c) => c.name === 'steward_session')?.value ?? '';
    const csrf = cookies.find((c) => c.name === 'steward_csrf')?.value ?? '';
    issued.push(token, csrf);
    return { response, cookie: `steward_session=${token}; steward_csrf=${csrf}`, token, csrf };
  }

  /**
   * Everything kept where the shape keeps sessions, as text: the `sessions` table's rows, or
   * (production) every session hash in Redis, the table being empty.
   */
  async function storedSessionsText(): Promise<string> {
    const rows: unknown[] = await app.get(DataSource).query('SELECT * FROM sessions');
    if (setup.config.shape === 'embedded') return JSON.stringify(rows);
    expect(rows).toEqual([]);
    const redis = new Redis(setup.config.redisUrl ?? '');
    try {
      const keys = await redis.keys(`${setup.config.redisPrefix}:session:*`);
      const values = await Promise.all(keys.map((key) => redis.hgetall(key)));
      return JSON.stringify({ keys, values });
    } finally {
      await redis.quit();
    }
  }

  function me(cookie: string): Promise<Response> {
    return fetch(`${base}/api/v2/users/me.json`, { headers: { cookie } });
  }

  beforeAll(async () => {
    setup = await createTestSetup({
      STEWARD_SIGN_IN_ACCOUNT_MAX_FAILURES: '3',
      STEWARD_SIGN_IN_IP_MAX_FAILURES: '8',
    });
    app = await createServer({
      config: setup.config,
      secrets: setup.secrets,
      logger: createLogger('debug', logs),
      clock,
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    origin = new URL(setup.config.publicUrl).origin;
  });

  // Every test starts with the throttle's windows and lockouts behind it.
  beforeEach(() => clock.advance(60 * MINUTE));

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  it('signs in with email and password: 200, the session, and HttpOnly SameSite=Lax cookies', async () => {
    const { email, user: created } = await user();
    const { response, token, csrf } = await signIn(email, PASSWORD);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      session: {
        user_id: created.id,
        expires_at: new Date(clock.now().getTime() + 12 * 60 * MINUTE).toISOString(),
        must_change_password: false,
      },
      csrf_token: csrf,
    });
    const [session, csrfCookie] = setCookies(response);
    expect(session?.name).toBe('steward_session');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.fromEntries(session?.attributes ?? [])).toEqual({
      path: '/',
      'max-age': String(12 * 60 * 60),
      samesite: 'Lax',
      httponly: '',
    });
    expect(csrfCookie?.name).toBe('steward_csrf');
    expect(csrfCookie?.attributes.has('httponly')).toBe(false);
    // Only the token's SHA-256 is stored, wherever the shape keeps sessions.
    const stored = await app.get(SessionStore).listByUsers([created.id]);
    expect(stored.map((s) => s.id)).toEqual([hashSessionToken(token)]);
    const raw = await storedSessionsText();
    expect(raw).toContain(hashSessionToken(token));
    expect(raw).not.toContain(token);
  });

  it('refuses a sign-in posted from another origin (login CSRF), accepts our own', async () => {
    const { email } = await user();
    const foreign = await post(
      '/api/v2/session',
      { email, password: PASSWORD },
      { origin: 'https://evil.example' },
    );
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual(CSRF_REFUSED);
    const ours = await post('/api/v2/session', { email, password: PASSWORD }, { origin });
    expect(ours.status).toBe(200);
  });

  it('accepts a form-urlencoded sign-in too', async () => {
    const { email } = await user();
    const response = await fetch(`${base}/api/v2/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password: PASSWORD }).toString(),
    });
    expect(response.status).toBe(200);
  });

  it('never takes the credentials from the query string', async () => {
    const { email } = await user();
    const query = new URLSearchParams({ email, password: PASSWORD }).toString();
    const response = await fetch(`${base}/api/v2/session?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('issues a new token at every sign-in, and both authenticate /users/me', async () => {
    const { email, user: created } = await user();
    const first = await signIn(email, PASSWORD);
    const second = await signIn(email, PASSWORD);
    expect(first.token).not.toBe(second.token);
    for (const { cookie } of [first, second]) {
      const response = await me(cookie);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { user: { id: number } }).user.id).toBe(created.id);
    }
  });

  it('signs out: the session is revoked and the cookies cleared', async () => {
    const { email } = await user();
    const { cookie, csrf } = await signIn(email, PASSWORD);
    const response = await fetch(`${base}/api/v2/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(response.status).toBe(204);
    expect(setCookies(response).map((c) => [c.name, c.value, c.attributes.get('max-age')])).toEqual(
      [
        ['steward_session', '', '0'],
        ['steward_csrf', '', '0'],
      ],
    );
    expect((await me(cookie)).status).toBe(401);
  });

  it('signs out everywhere: every session of the user ends', async () => {
    const { email } = await user();
    const first = await signIn(email, PASSWORD);
    const second = await signIn(email, PASSWORD);
    const response = await post(
      '/api/v2/session/sign_out_everywhere',
      {},
      { cookie: first.cookie, 'x-csrf-token': first.csrf },
    );
    expect(response.status).toBe(204);
    expect((await me(first.cookie)).status).toBe(401);
    expect((await me(second.cookie)).status).toBe(401);
  });

  it('ends a session left unused for the idle timeout, and one in use at the absolute timeout', async () => {
    const { email } = await user();
    const idle = await signIn(email, PASSWORD);
    clock.advance(29 * MINUTE);
    expect((await me(idle.cookie)).status).toBe(200);
    clock.advance(30 * MINUTE);
    expect((await me(idle.cookie)).status).toBe(401);

    const busy = await signIn(email, PASSWORD);
    for (let elapsed = 0; elapsed < 12 * 60 - 20; elapsed += 20) {
      clock.advance(20 * MINUTE);
      expect((await me(busy.cookie)).status).toBe(200);
    }
    clock.advance(20 * MINUTE);
    expect((await me(busy.cookie)).status).toBe(401);
  });

  it('answers a wrong password and an unknown email alike, and audits neither email', async () => {
    const { email, user: created } = await user();
    const wrong = await post('/api/v2/session', { email, password: 'not the password at all' });
    const unknown = await post('/api/v2/session', {
      email: 'nobody-here@example.com',
      password: PASSWORD,
    });
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(UNAUTHENTICATED);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    const failures = await app
      .get(DataSource)
      .getRepository(AuditEntryEntity)
      .find({ where: { action: 'auth.sign_in.failed' }, order: { id: 'DESC' }, take: 2 });
    expect(failures.map((f) => [f.actorType, f.targetId])).toEqual([
      ['anonymous', null],
      ['anonymous', String(created.id)],
    ]);
    expect(JSON.stringify(failures)).not.toContain('example.com');
  });

  it('audits a successful sign-in with the user as actor, the IP and the user agent', async () => {
    const { email, user: created } = await user();
    await signIn(email, PASSWORD);
    const [entry] = await app
      .get(DataSource)
      .getRepository(AuditEntryEntity)
      .find({ where: { action: 'auth.sign_in.succeeded' }, order: { id: 'DESC' }, take: 1 });
    expect(entry).toMatchObject({ actorType: 'user', actorId: String(created.id) });
    expect(entry?.ip).toMatch(/127\.0\.0\.1/);
    expect(entry?.userAgent).toBeTruthy();
  });

  it('requires the CSRF token for a cookie POST, and refuses a foreign Origin', async () => {
    const { email } = await user();
    const { cookie, csrf } = await signIn(email, PASSWORD);
    const path = '/api/v2/session/sign_out_everywhere';
    const missing = await post(path, {}, { cookie });
    const wrong = await post(path, {}, { cookie, 'x-csrf-token': `${csrf.slice(0, -2)}xx` });
    const foreign = await post(
      path,
      {},
      { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' },
    );
    for (const response of [missing, wrong, foreign]) {
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual(CSRF_REFUSED);
    }
    expect((await me(cookie)).status).toBe(200);
    const ours = await post(path, {}, { cookie, 'x-csrf-token': csrf, origin });
    expect(ours.status).toBe(204);
  });

  it('needs no CSRF token for a POST with an API token', async () => {
    const { email, user: created } = await user();
    const { token } = await app.get(ApiTokenService).create(created.id, 'script');
    issued.push(token);
    // The route answers 403 for a token (it needs a web session), not the CSRF refusal.
    const response = await post(
      '/api/v2/session/sign_out_everywhere',
      {},
      { authorization: `Bearer ${token}` },
    );
    expect(response.status).toBe(403);
    expect(await response.json()).not.toEqual(CSRF_REFUSED);
    expect(email).toContain('@');
  });

  it('locks an account after repeated failures: 429 with Retry-After, the same for unknown accounts', async () => {
    const { email } = await user();
    const unknown = 'ghost@example.com';
    for (const address of [email, unknown]) {
      for (let i = 0; i < 3; i++) {
        const failed = await post('/api/v2/session', { email: address, password: 'wrong guess!!' });
        expect(failed.status).toBe(401);
      }
    }
    const locked = await post('/api/v2/session', { email, password: PASSWORD });
    const lockedUnknown = await post('/api/v2/session', { email: unknown, password: PASSWORD });
    expect([locked.status, lockedUnknown.status]).toEqual([429, 429]);
    expect(locked.headers.get('retry-after')).toBe(String(15 * 60));
    expect(lockedUnknown.headers.get('retry-after')).toBe(String(15 * 60));
    expect(await locked.json()).toEqual(await lockedUnknown.json());
    clock.advance(15 * MINUTE);
    expect((await post('/api/v2/session', { email, password: PASSWORD })).status).toBe(200);
  });

  it('resets the account count on success', async () => {
    const { email } = await user();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) {
        await post('/api/v2/session', { email, password: 'wrong guess!!' });
      }
      expect((await signIn(email, PASSWORD)).response.status).toBe(200);
    }
  });

  it('throttles an IP address that fails for many accounts', async () => {
    for (let i = 0; i < 8; i++) {
      const failed = await post('/api/v2/session', {
        email: `spray${i}@example.com`,
        password: 'wrong guess!!',
      });
      expect(failed.status).toBe(401);
    }
    const { email } = await user();
    const throttled = await post('/api/v2/session', { email, password: PASSWORD });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe(String(15 * 60));
  });

  it('rehashes at sign-in a password stored with a lower bcrypt cost', async () => {
    const { email, user: created } = await user();
    const users = app.get(DataSource).getRepository(UserEntity);
    await users.update({ id: created.id }, { passwordHash: await hash(PASSWORD, 4) });
    expect((await signIn(email, PASSWORD)).response.status).toBe(200);
    const rehashed = await users.findOneByOrFail({ id: created.id });
    expect(rehashed.passwordHash).toMatch(/^\$2[aby]\$10\$/);
    expect((await signIn(email, PASSWORD)).response.status).toBe(200);
  });

  it('lets a user who must change the password only change it, then use the new session', async () => {
    const { email, password } = await user({ mustChange: true });
    const pending = await signIn(email, password);
    expect(
      ((await pending.response.json()) as { session: Record<string, unknown> }).session,
    ).toMatchObject({ must_change_password: true });
    const refused = await me(pending.cookie);
    expect(refused.status).toBe(403);

    const common = await post(
      '/api/v2/session/password',
      { current_password: password, password: 'Password!2026' },
      { cookie: pending.cookie, 'x-csrf-token': pending.csrf },
    );
    expect(common.status).toBe(422);
    expect(JSON.stringify(await common.json())).toContain('too common');

    const changed = await post(
      '/api/v2/session/password',
      { current_password: password, password: PASSWORD },
      { cookie: pending.cookie, 'x-csrf-token': pending.csrf },
    );
    expect(changed.status).toBe(200);
    const cookies = setCookies(changed);
    const token = cookies.find((c) => c.name === 'steward_session')?.value ?? '';
    issued.push(token);
    expect((await me(`steward_session=${token}`)).status).toBe(200);
    expect((await me(pending.cookie)).status).toBe(401);
    expect((await signIn(email, PASSWORD)).response.status).toBe(200);
  });

  it('refuses a common password when a user is created', async () => {
    await expect(
      app
        .get(UserService)
        .createUser({ email: 'common@example.com', role: 'agent', password: 'sunshine12345' }),
    ).rejects.toThrow(/too common/);
  });

  it('answers a password reset request with 202 whether or not the account exists', async () => {
    const { email } = await user();
    for (const address of [email, 'nobody-at-all@example.com']) {
      const response = await post('/api/v2/session/password_reset', { email: address });
      expect(response.status).toBe(202);
      expect(await response.text()).toBe('');
    }
  });

  it('resets the password with a one-time token and ends every session', async () => {
    const { email } = await user();
    const before = await signIn(email, PASSWORD);
    const resets = app.get(PasswordResetService);
    const token = (await resets.request(email, { ip: null, userAgent: null })) ?? '';
    issued.push(token);
    const fresh = 'a different long passphrase';
    const confirm = () =>
      post('/api/v2/session/password_reset/confirm', { token, password: fresh });
    expect((await confirm()).status).toBe(204);
    expect((await me(before.cookie)).status).toBe(401);
    expect((await signIn(email, fresh)).response.status).toBe(200);
    expect((await signIn(email, PASSWORD)).response.status).toBe(401);
    const again = await confirm();
    expect(again.status).toBe(422);
    expect(JSON.stringify(await again.json())).toContain('invalid or has expired');
  });

  it('refuses an expired reset token, and a common new password', async () => {
    const { email } = await user();
    const resets = app.get(PasswordResetService);
    const token = (await resets.request(email, { ip: null, userAgent: null })) ?? '';
    issued.push(token);
    const common = await post('/api/v2/session/password_reset/confirm', {
      token,
      password: 'Superman!2026',
    });
    expect(common.status).toBe(422);
    clock.advance(61 * MINUTE);
    const expired = await post('/api/v2/session/password_reset/confirm', {
      token,
      password: 'a different long passphrase',
    });
    expect(expired.status).toBe(422);
    expect((await signIn(email, PASSWORD)).response.status).toBe(200);
  });

  it('never logs a password, a session token or a CSRF token', () => {
    const text = logs.text();
    expect(text).toContain('/api/v2/session');
    expect(text).not.toContain(PASSWORD);
    for (const token of issued.filter((t) => t !== '')) expect(text).not.toContain(token);
  });
});
