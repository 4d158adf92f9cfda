import type { INestApplication } from '@nestjs/common';
import { ApiTokenService, UserService } from '@steward/identity';
import { Clock, createLogger, loadConfig } from '@steward/platform';
import { createTestSetup, LogCapture, type TestSetup } from '@steward/testing';
import { createServer } from './create-server';

class TestClock extends Clock {
  // The start of a minute, so that a test's requests all fall in one window.
  private current = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

const LIMIT = 5;

describe('the per-user API rate limit', () => {
  let setup: TestSetup;
  let app: INestApplication;
  let base: string;
  const clock = new TestClock();

  beforeAll(async () => {
    setup = await createTestSetup({ STEWARD_API_RATE_LIMIT: String(LIMIT) });
    app = await createServer({
      config: setup.config,
      secrets: setup.secrets,
      logger: createLogger('warn', new LogCapture()),
      clock,
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  // Each test starts in a window of its own.
  beforeEach(() => clock.advance(60_000));

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  let serial = 0;
  async function token(email = `user-${++serial}@example.com`): Promise<string> {
    const { user } = await app.get(UserService).createUser({ email, role: 'end-user' });
    return `Bearer ${(await app.get(ApiTokenService).create(user.id, 'test')).token}`;
  }

  async function tokenOfSameUser(email: string): Promise<string> {
    const user = await app.get(UserService).findByEmail(email);
    return `Bearer ${(await app.get(ApiTokenService).create(user?.id ?? 0, 'second')).token}`;
  }

  function get(path: string, auth?: string): Promise<Response> {
    return fetch(`${base}${path}`, { headers: auth ? { authorization: auth } : {} });
  }

  it('counts each request, then answers 429 with Retry-After and Zendesk’s headers', async () => {
    const auth = await token();
    for (let i = 1; i <= LIMIT; i++) {
      const res = await get('/api/v2/users/me.json', auth);
      expect([
        res.status,
        res.headers.get('x-rate-limit'),
        res.headers.get('x-rate-limit-remaining'),
      ]).toEqual([200, String(LIMIT), String(LIMIT - i)]);
    }
    const refused = await get('/api/v2/users/me.json', auth);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.json()).toEqual({
      error: 'TooManyRequests',
      description: `API rate limit exceeded: at most ${LIMIT} requests a minute; retry after 60 seconds`,
    });
    // Any route of the API, not only the one used up.
    expect((await get('/api/v2/requests.json', auth)).status).toBe(429);
    clock.advance(45_000);
    const later = await get('/api/v2/users/me.json', auth);
    expect([later.status, later.headers.get('retry-after')]).toEqual([429, '15']);
    clock.advance(15_000);
    expect((await get('/api/v2/users/me.json', auth)).status).toBe(200);
  });

  it('counts per user: another user is not slowed, another token of the same user is', async () => {
    const email = `ann-${++serial}@example.com`;
    const first = await token(email);
    for (let i = 0; i < LIMIT; i++) await get('/api/v2/users/me.json', first);
    expect((await get('/api/v2/users/me.json', first)).status).toBe(429);
    expect((await get('/api/v2/users/me.json', await tokenOfSameUser(email))).status).toBe(429);
    expect((await get('/api/v2/users/me.json', await token())).status).toBe(200);
  });

  it('counts anonymous callers by address, and never health checks', async () => {
    for (let i = 0; i < LIMIT; i++) {
      expect((await get('/api/v2/openapi.json')).status).toBe(200);
    }
    const refused = await get('/api/v2/openapi.json');
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '60']);
    // A signed-in caller from the same address has their own count.
    expect((await get('/api/v2/users/me.json', await token())).status).toBe(200);
    for (let i = 0; i < LIMIT + 2; i++) {
      const health = await get('/healthz');
      expect([health.status, health.headers.get('x-rate-limit')]).toEqual([200, null]);
    }
  });

  it('is 700 a minute unless configured, and refuses a bad setting', () => {
    expect(loadConfig({ env: {} }).apiRateLimit).toBe(700);
    expect(loadConfig({ env: { STEWARD_API_RATE_LIMIT: '50' } }).apiRateLimit).toBe(50);
    for (const bad of ['0', '-1', 'many', '1.5']) {
      expect(() => loadConfig({ env: { STEWARD_API_RATE_LIMIT: bad } })).toThrow(
        /STEWARD_API_RATE_LIMIT: expected API requests per minute per caller/,
      );
    }
  });
});
