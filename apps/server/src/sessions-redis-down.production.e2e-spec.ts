import type { INestApplication, OnApplicationShutdown } from '@nestjs/common';
import { ApiTokenService, SessionStore, UserService } from '@steward/identity';
import { createLogger } from '@steward/platform';
import { createTestSetup, LogCapture, STACK_TRACE_LINE, type TestSetup } from '@steward/testing';
import { createServer } from './create-server';

const PASSWORD = 'a long and unusual passphrase';

describe('web sessions when Redis is lost (production shape)', () => {
  let setup: TestSetup;
  let app: INestApplication;
  let base: string;
  const logs = new LogCapture();

  beforeAll(async () => {
    setup = await createTestSetup();
    app = await createServer({
      config: setup.config,
      secrets: setup.secrets,
      logger: createLogger('info', logs),
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  it('answers a session request 503 with a clear message; API tokens still work', async () => {
    const email = 'ann@example.com';
    const { user } = await app
      .get(UserService)
      .createUser({ email, role: 'agent', password: PASSWORD });
    const signIn = await fetch(`${base}/api/v2/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const me = (headers: Record<string, string>) =>
      fetch(`${base}/api/v2/users/me.json`, { headers, signal: AbortSignal.timeout(10_000) });
    expect((await me({ cookie })).status).toBe(200);

    // The session store's connection goes away, as when Redis stops answering.
    const store = app.get<SessionStore & Partial<OnApplicationShutdown>>(SessionStore);
    expect(store.onApplicationShutdown).toBeInstanceOf(Function);
    await store.onApplicationShutdown?.();

    const lost = await me({ cookie });
    expect(lost.status).toBe(503);
    const text = await lost.text();
    expect(JSON.parse(text)).toEqual({
      error: 'ServiceUnavailable',
      description: 'Sign-in sessions are unavailable right now; try again shortly',
    });
    expect(text).not.toMatch(STACK_TRACE_LINE);
    expect(logs.text()).toContain('Redis session command failed');

    const { token } = await app.get(ApiTokenService).create(user.id, 'script');
    expect((await me({ authorization: `Bearer ${token}` })).status).toBe(200);
  });
});
