import type { INestApplication } from '@nestjs/common';
import { AuditEntryEntity } from '@steward/audit';
import { ApiTokenService, UserService } from '@steward/identity';
import { Clock, createLogger } from '@steward/platform';
import { createTestSetup, LogCapture, type TestSetup } from '@steward/testing';
import { generate } from 'otplib';
import { DataSource } from 'typeorm';
import { createServer } from './create-server';

class TestClock extends Clock {
  private current = new Date('2026-11-21T08:00:10.000Z');

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

const MINUTE = 60_000;
const STEP_MS = 30_000;
const PASSWORD = 'a long and unusual passphrase';
type Body = Record<string, unknown>;

interface Session {
  readonly cookie: string;
  readonly csrf: string;
  readonly token: string;
}

interface Answer {
  readonly status: number;
  readonly body: Body;
  readonly session?: Session;
  readonly response: Response;
}

describe('two-factor sign-in over HTTP', () => {
  let setup: TestSetup;
  let app: INestApplication;
  let base: string;
  const clock = new TestClock();
  const logs = new LogCapture();
  /** Every secret, recovery code and TOTP code handed out: none may reach a log line. */
  const secrets: string[] = [];
  let counter = 0;

  beforeAll(async () => {
    setup = await createTestSetup({
      STEWARD_SIGN_IN_ACCOUNT_MAX_FAILURES: '3',
      STEWARD_SIGN_IN_IP_MAX_FAILURES: '50',
    });
    app = await createServer({
      config: setup.config,
      secrets: setup.secrets,
      logger: createLogger('debug', logs),
      clock,
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  // Every test starts with the throttle's windows, lockouts and sessions behind it.
  beforeEach(() => clock.advance(60 * MINUTE));

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  async function user(role: 'agent' | 'admin' = 'agent') {
    counter += 1;
    const email = `person${counter}@example.com`;
    const created = await app.get(UserService).createUser({ email, role, password: PASSWORD });
    return { email, id: created.user.id };
  }

  /** The code the authenticator shows now; the clock then moves to the next time step. */
  async function code(secret: string): Promise<string> {
    const token = await generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });
    secrets.push(token);
    clock.advance(STEP_MS);
    return token;
  }

  async function call(
    method: string,
    path: string,
    options: { session?: Session; body?: unknown; auth?: string } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (options.session) {
      headers.cookie = options.session.cookie;
      headers['x-csrf-token'] = options.session.csrf;
    }
    if (options.auth) headers.authorization = options.auth;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    const cookies = new Map(
      response.headers.getSetCookie().map((line) => {
        const [pair = ''] = line.split(';');
        const equals = pair.indexOf('=');
        return [pair.slice(0, equals), pair.slice(equals + 1)] as const;
      }),
    );
    const token = cookies.get('steward_session');
    const csrf = cookies.get('steward_csrf') ?? '';
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Body) : {},
      session: token
        ? { token, csrf, cookie: `steward_session=${token}; steward_csrf=${csrf}` }
        : undefined,
      response,
    };
  }

  function signIn(email: string, password = PASSWORD): Promise<Answer> {
    return call('POST', '/api/v2/session', { body: { email, password } });
  }

  function sessionOf(answer: Answer): Session {
    if (!answer.session) throw new Error(`no session cookie (status ${answer.status})`);
    return answer.session;
  }

  /** Enrols the signed-in user: the secret and the recovery codes (and a new session, if any). */
  async function enrol(session: Session) {
    const started = await call('POST', '/api/v2/users/me/two_factor', { session });
    expect(started.status).toBe(201);
    const secret = (started.body.two_factor as { secret: string }).secret;
    secrets.push(secret);
    const confirmed = await call('POST', '/api/v2/users/me/two_factor/confirm', {
      session,
      body: { code: await code(secret) },
    });
    expect(confirmed.status).toBe(200);
    const recoveryCodes = confirmed.body.recovery_codes as string[];
    secrets.push(...recoveryCodes);
    return { secret, recoveryCodes, started, confirmed };
  }

  /** Signs in with password and TOTP code: a full session. */
  async function signInFully(email: string, secret: string): Promise<Session> {
    const pending = sessionOf(await signIn(email));
    const verified = await call('POST', '/api/v2/session/two_factor', {
      session: pending,
      body: { code: await code(secret) },
    });
    expect(verified.status).toBe(200);
    return sessionOf(verified);
  }

  async function enrolledAgent() {
    const { email, id } = await user();
    const { secret, recoveryCodes } = await enrol(sessionOf(await signIn(email)));
    return { email, id, secret, recoveryCodes };
  }

  it('enrols, then asks for the code after the password, and the code rotates the session', async () => {
    const { email, id } = await user();
    const first = sessionOf(await signIn(email));
    const before = await call('GET', '/api/v2/users/me/two_factor', { session: first });
    expect(before.body).toEqual({
      two_factor: {
        enabled: false,
        enabled_at: null,
        pending: false,
        recovery_codes_left: 0,
        required: false,
      },
    });
    const started = await call('POST', '/api/v2/users/me/two_factor', { session: first });
    expect(started.status).toBe(201);
    expect(started.response.headers.get('cache-control')).toBe('no-store');
    const { secret, otpauth_uri: uri } = started.body.two_factor as Record<string, string>;
    secrets.push(secret ?? '');
    expect(uri).toContain(`secret=${secret}`);
    const wrong = await call('POST', '/api/v2/users/me/two_factor/confirm', {
      session: first,
      body: { code: '000000' },
    });
    expect(wrong.status).toBe(422);
    const confirmed = await call('POST', '/api/v2/users/me/two_factor/confirm', {
      session: first,
      body: { code: await code(secret ?? '') },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.two_factor).toMatchObject({ enabled: true, recovery_codes_left: 10 });
    expect(confirmed.body.recovery_codes).toHaveLength(10);
    secrets.push(...(confirmed.body.recovery_codes as string[]));
    // A full session that enrols stays as it is.
    expect(confirmed.session).toBeUndefined();
    expect((await call('DELETE', '/api/v2/session', { session: first })).status).toBe(204);

    const signedIn = await signIn(email);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.session).toMatchObject({ user_id: id, two_factor_required: true });
    const pending = sessionOf(signedIn);
    for (const path of ['/api/v2/users/me.json', '/api/v2/users/me/two_factor']) {
      const refused = await call('GET', path, { session: pending });
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        error: 'Forbidden',
        description: 'Enter your two-factor code first (POST /api/v2/session/two_factor)',
      });
    }
    const reauth = await call('POST', '/api/v2/session/reauthenticate', {
      session: pending,
      body: { password: PASSWORD },
    });
    expect(reauth.status).toBe(403);

    const verified = await call('POST', '/api/v2/session/two_factor', {
      session: pending,
      body: { code: await code(secret ?? '') },
    });
    expect(verified.status).toBe(200);
    const full = sessionOf(verified);
    expect(full.token).not.toBe(pending.token);
    expect(full.csrf).not.toBe(pending.csrf);
    expect(verified.body).toEqual({
      session: {
        user_id: id,
        expires_at: expect.any(String) as unknown,
        must_change_password: false,
      },
      csrf_token: full.csrf,
    });
    expect((await call('GET', '/api/v2/users/me.json', { session: pending })).status).toBe(401);
    expect((await call('GET', '/api/v2/users/me.json', { session: full })).status).toBe(200);
    const audit = await app
      .get(DataSource)
      .getRepository(AuditEntryEntity)
      .find({ where: { targetId: String(id) }, order: { id: 'ASC' } });
    expect(audit.map((entry) => entry.action)).toEqual(
      expect.arrayContaining([
        'auth.two_factor.enrolment_started',
        'auth.two_factor.enabled',
        'auth.two_factor.succeeded',
      ]),
    );
  });

  it('accepts each recovery code once at sign-in', async () => {
    const { email, recoveryCodes } = await enrolledAgent();
    const [recovery = ''] = recoveryCodes;
    const first = sessionOf(await signIn(email));
    const used = await call('POST', '/api/v2/session/two_factor', {
      session: first,
      body: { code: recovery },
    });
    expect(used.status).toBe(200);
    const status = await call('GET', '/api/v2/users/me/two_factor', { session: sessionOf(used) });
    expect(status.body.two_factor).toMatchObject({ enabled: true, recovery_codes_left: 9 });
    const second = sessionOf(await signIn(email));
    const again = await call('POST', '/api/v2/session/two_factor', {
      session: second,
      body: { code: recovery },
    });
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ details: { code: [{ description: 'is not correct' }] } });
  });

  it('counts wrong codes toward the sign-in lockout: 429 with Retry-After', async () => {
    const { email, secret } = await enrolledAgent();
    const pending = sessionOf(await signIn(email));
    const valid = await code(secret);
    for (let i = 0; i < 3; i++) {
      const wrong = await call('POST', '/api/v2/session/two_factor', {
        session: pending,
        body: { code: '000000' },
      });
      expect(wrong.status).toBe(422);
    }
    const locked = await call('POST', '/api/v2/session/two_factor', {
      session: pending,
      body: { code: valid },
    });
    expect(locked.status).toBe(429);
    expect(locked.response.headers.get('retry-after')).toBe(String(15 * 60));
    // Signing in with the password again gives no fresh allowance.
    expect((await signIn(email)).status).toBe(429);
    clock.advance(15 * MINUTE);
    const failures = await app
      .get(DataSource)
      .getRepository(AuditEntryEntity)
      .count({ where: { action: 'auth.two_factor.failed' } });
    expect(failures).toBeGreaterThanOrEqual(3);
    expect((await signInFully(email, secret)).token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('makes an admin without two-factor enrol before anything else, then rotates the session', async () => {
    const { email, id } = await user('admin');
    const signedIn = await signIn(email);
    expect(signedIn.body.session).toMatchObject({ two_factor_enrolment_required: true });
    const restricted = sessionOf(signedIn);
    expect((await call('GET', '/api/v2/users/me.json', { session: restricted })).status).toBe(200);
    const refused = await call('GET', '/api/v2/users.json', { session: restricted });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: 'Forbidden',
      description: 'Set up two-factor authentication first (POST /api/v2/users/me/two_factor)',
    });
    const status = await call('GET', '/api/v2/users/me/two_factor', { session: restricted });
    expect(status.body.two_factor).toMatchObject({ enabled: false, required: true });
    const { confirmed } = await enrol(restricted);
    const full = sessionOf(confirmed);
    expect(full.token).not.toBe(restricted.token);
    expect(confirmed.body).toMatchObject({
      session: { user_id: id, must_change_password: false },
      csrf_token: full.csrf,
    });
    expect((await call('GET', '/api/v2/users.json', { session: restricted })).status).toBe(401);
    expect((await call('GET', '/api/v2/users.json', { session: full })).status).toBe(200);
  });

  it('puts an admin who removes their own two-factor back to enrolment only', async () => {
    const { email } = await user('admin');
    const { confirmed } = await enrol(sessionOf(await signIn(email)));
    const full = sessionOf(confirmed);
    expect((await call('GET', '/api/v2/users.json', { session: full })).status).toBe(200);
    expect((await call('DELETE', '/api/v2/users/me/two_factor', { session: full })).status).toBe(
      204,
    );
    const refused = await call('GET', '/api/v2/users.json', { session: full });
    expect(refused.status).toBe(403);
    expect(refused.body.description).toMatch(/Set up two-factor authentication first/);
    const removed = await app
      .get(DataSource)
      .getRepository(AuditEntryEntity)
      .find({ where: { action: 'auth.two_factor.disabled' }, order: { id: 'DESC' }, take: 1 });
    expect(removed[0]?.details).toBe('{"by":"self"}');
  });

  it('lets an API token act under the same permissions, without step-up', async () => {
    const { id } = await user('admin');
    const { token } = await app.get(ApiTokenService).create(id, 'script');
    secrets.push(token);
    const auth = `Bearer ${token}`;
    expect((await call('GET', '/api/v2/users.json', { auth })).status).toBe(200);
    const status = await call('GET', '/api/v2/users/me/two_factor', { auth });
    expect(status.body.two_factor).toMatchObject({ enabled: false, required: true });
  });

  it('asks for the password again after the re-authentication window', async () => {
    const { email, secret } = await enrolledAgent();
    const session = await signInFully(email, secret);
    clock.advance(10 * MINUTE);
    const stale = await call('POST', '/api/v2/users/me/two_factor/recovery_codes', { session });
    expect(stale.status).toBe(403);
    expect(stale.body).toEqual({
      error: 'ReauthenticationRequired',
      description: 'Confirm your password first (POST /api/v2/session/reauthenticate)',
    });
    const noCode = await call('POST', '/api/v2/session/reauthenticate', {
      session,
      body: { password: PASSWORD },
    });
    expect(noCode.status).toBe(422);
    const wrong = await call('POST', '/api/v2/session/reauthenticate', {
      session,
      body: { password: 'not the passphrase', code: await code(secret) },
    });
    expect(wrong.status).toBe(422);
    const renewed = await call('POST', '/api/v2/session/reauthenticate', {
      session,
      body: { password: PASSWORD, code: await code(secret) },
    });
    expect(renewed.status).toBe(200);
    expect(renewed.body.session).toMatchObject({
      authenticated_at: clock.now().toISOString(),
      reauthentication_expires_at: new Date(clock.now().getTime() + 10 * MINUTE).toISOString(),
    });
    const regenerated = await call('POST', '/api/v2/users/me/two_factor/recovery_codes', {
      session,
    });
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.recovery_codes).toHaveLength(10);
    secrets.push(...(regenerated.body.recovery_codes as string[]));
    clock.advance(9 * MINUTE);
    expect((await call('DELETE', '/api/v2/users/me/two_factor', { session })).status).toBe(204);
    const after = await call('GET', '/api/v2/users/me/two_factor', { session });
    expect(after.body.two_factor).toMatchObject({ enabled: false });
  });

  it('lets an admin reset another user’s two-factor with a recent password, audited', async () => {
    const agent = await enrolledAgent();
    const { email } = await user('admin');
    const restricted = sessionOf(await signIn(email));
    const { secret } = await enrol(restricted);
    const admin = await signInFully(email, secret);
    const path = `/api/v2/users/${agent.id}/two_factor`;
    clock.advance(11 * MINUTE);
    expect((await call('DELETE', path, { session: admin })).status).toBe(403);
    await call('POST', '/api/v2/session/reauthenticate', {
      session: admin,
      body: { password: PASSWORD, code: await code(secret) },
    });
    expect((await call('DELETE', path, { session: admin })).status).toBe(204);
    const [reset] = await app
      .get(DataSource)
      .getRepository(AuditEntryEntity)
      .find({ where: { action: 'auth.two_factor.disabled' }, order: { id: 'DESC' }, take: 1 });
    expect(reset).toMatchObject({ targetId: String(agent.id), details: '{"by":"admin"}' });
    expect(reset?.actorId).not.toBe(String(agent.id));
    expect((await call('DELETE', path, { session: admin })).status).toBe(422);
    expect(
      (await call('DELETE', '/api/v2/users/999999/two_factor', { session: admin })).status,
    ).toBe(404);
    // The agent signs in with the password alone again.
    expect((await signIn(agent.email)).body.session).not.toHaveProperty('two_factor_required');
    const agentSession = sessionOf(await signIn(agent.email));
    const notAllowed = await call('DELETE', `/api/v2/users/${agent.id}/two_factor`, {
      session: agentSession,
    });
    expect(notAllowed.status).toBe(403);
  });

  it('never logs a TOTP secret, a code or a recovery code', () => {
    const text = logs.text();
    expect(text).toContain('/api/v2/session/two_factor');
    expect(secrets.length).toBeGreaterThan(20);
    for (const secret of secrets.filter((s) => s !== '')) expect(text).not.toContain(secret);
  });
});
