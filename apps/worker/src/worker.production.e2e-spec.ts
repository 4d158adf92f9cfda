import {
  createTestSetup,
  freePort,
  ProcessTracker,
  waitForHttpStatus,
  type RunningProcess,
  type TestSetup,
} from '@steward/testing';

/** Child processes get PATH and nothing else from the test runner's environment. */
const PATH = process.env.PATH ?? '';
/** How long a start may take before the test gives up (it usually takes about a second). */
const START_DEADLINE_MS = 9_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;

describe('steward-worker, started as a process against MariaDB and Redis', () => {
  const processes = new ProcessTracker();
  let setup: TestSetup;
  let worker: RunningProcess;
  let base: string;

  beforeAll(async () => {
    setup = await createTestSetup();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // STEWARD_MIGRATE_ON_BOOT is left at its default (true): the worker migrates the empty
    // database itself, like a server would.
    worker = processes.start('worker', {
      env: {
        ...setup.env,
        STEWARD_WORKER_HTTP_PORT: String(port),
        STEWARD_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
        PATH,
      },
    });
    await waitForHttpStatus(`${base}/readyz`, 200, START_DEADLINE_MS, worker);
  });

  afterAll(async () => {
    await processes.stopAll();
    await setup?.cleanup();
  });

  it('answers /healthz with 200 on STEWARD_WORKER_HTTP_PORT', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200, with database, migrations, storage and redis up', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { checks: Record<string, { status: string }> };
    expect(body.checks).toEqual({
      database: { status: 'up' },
      migrations: { status: 'up' },
      redis: { status: 'up' },
      storage: { status: 'up' },
    });
  });

  it('exits 0 on SIGTERM within the shutdown deadline', async () => {
    worker.signal('SIGTERM');
    const exit = await worker.waitForExit(SHUTDOWN_TIMEOUT_MS + 3_000);
    expect({ ...exit, stderr: worker.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  });
});
