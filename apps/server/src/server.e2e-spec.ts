import type { INestApplication } from '@nestjs/common';
import { createLogger, loadTestEnvironment } from '@steward/platform';
import { createTestSetup, LogCapture, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { createServer } from './create-server';

const CANARY = {
  password: 'Canary-Password-7c1f9e',
  bearer: 'Canary-Bearer-Token-41d2',
  cookie: 'Canary-Session-Cookie-99ab',
  query: 'Canary-Query-Token-5e6f',
  malformed: 'Canary-Malformed-Body-0c3d',
};

describe('HTTP server', () => {
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

  it('answers /healthz with 200', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 and every check up', async () => {
    const res = await fetch(`${base}/readyz`);
    const body = (await res.json()) as {
      status: string;
      checks: Record<string, { status: string }>;
    };
    expect(res.status).toBe(200);
    const expected = ['database', 'migrations', 'storage'];
    if (loadTestEnvironment().shape === 'production') expected.push('redis');
    expect(Object.keys(body.checks).sort()).toEqual(expected.sort());
    expect(Object.values(body.checks).every((c) => c.status === 'up')).toBe(true);
  });

  it('serves Prometheus metrics, including HTTP latency by route', async () => {
    await fetch(`${base}/healthz`);
    const res = await fetch(`${base}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(
      /steward_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="2xx"\} \d+/,
    );
    expect(text).toContain('steward_jobs_total');
    expect(text).toContain('steward_queue_depth');
  });

  it('answers an unknown route with a Zendesk-style 404 body', async () => {
    const res = await fetch(`${base}/api/v2/nothing-here.json`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'RecordNotFound' });
  });

  it('answers malformed JSON with 400 and an oversized body with 413, never 500', async () => {
    const malformed = await fetch(`${base}/api/v2/users.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"user": {',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      error: 'InvalidRequest',
      description: 'The request body is not valid JSON',
    });

    const huge = await fetch(`${base}/api/v2/users.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blob: 'x'.repeat(setup.config.bodyLimitBytes + 10) }),
    });
    expect(huge.status).toBe(413);
  });

  it('gives every response a request id, keeping a well-formed one from the caller', async () => {
    const fresh = await fetch(`${base}/healthz`);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const given = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'trace-1234' } });
    expect(given.headers.get('x-request-id')).toBe('trace-1234');
    const hostile = await fetch(`${base}/healthz`, {
      headers: { 'x-request-id': 'x"; drop table' },
    });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends the security headers', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('never writes passwords, tokens, cookies or request bodies to the log', async () => {
    await fetch(`${base}/api/v2/users.json?token=${CANARY.query}&page=2`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${CANARY.bearer}`,
        cookie: `steward_session=${CANARY.cookie}`,
        'content-type': 'application/json',
        'x-request-id': 'redaction-check',
      },
      body: JSON.stringify({ user: { email: 'a@example.com', password: CANARY.password } }),
    });
    await fetch(`${base}/api/v2/users.json`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`a/token:${CANARY.bearer}`).toString('base64')}`,
      },
      body: `{"password": "${CANARY.malformed}", `,
    });

    const text = logs.text();
    const line = logs.lines().find((l) => l.requestId === 'redaction-check');
    expect(line).toMatchObject({
      req: { method: 'POST', url: '/api/v2/users.json?token=%5Bredacted%5D&page=2' },
    });
    for (const canary of Object.values(CANARY)) expect(text).not.toContain(canary);
    expect(text).not.toContain(Buffer.from(`a/token:${CANARY.bearer}`).toString('base64'));
  });

  it('reports not ready, naming the database, when the database is gone', async () => {
    await app.get(DataSource).destroy();
    const res = await fetch(`${base}/readyz`);
    const body = (await res.json()) as {
      checks: Record<string, { status: string; message?: string }>;
    };
    expect(res.status).toBe(503);
    expect(body.checks.database?.status).toBe('down');
    expect(body.checks.database?.message).toBeTruthy();
  });
});
