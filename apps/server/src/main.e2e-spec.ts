import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource } from '@steward/persistence';
import { loadTestEnvironment } from '@steward/platform';
import { stewardSchema } from '@steward/runtime';
import {
  createTestDatabase,
  createTestSetup,
  expectExitCode,
  freePort,
  ProcessTracker,
  STACK_TRACE_LINE,
  waitForHttpStatus,
  type RunningProcess,
  type TestDatabase,
  type TestSetup,
} from '@steward/testing';

const shape = loadTestEnvironment().shape;
/** Child processes get PATH and nothing else from the test runner's environment. */
const PATH = process.env.PATH ?? '';
/** How long a start may take before the test gives up (it usually takes about a second). */
const START_DEADLINE_MS = 9_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;
const READY_LOG = /"msg":"Steward is ready"/;
const PASSWORD_LINE = /^ +one-time password: +(\S+)$/m;

/** The stdout lines that are log records (pino writes one JSON object per line). */
function logLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('{'));
}

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
}

describe('steward-server, started as a process', () => {
  const processes = new ProcessTracker();
  let setup: TestSetup;
  let dataDir: string;
  let base: string;
  let env: Record<string, string>;

  /** The emails of the users in the setup's database. */
  async function userEmails(): Promise<string[]> {
    const dataSource = await createDataSource(setup.config.database, stewardSchema);
    await dataSource.initialize();
    try {
      const rows = await dataSource.query<{ email: string }[]>('SELECT email FROM users');
      return rows.map((row) => row.email).sort();
    } finally {
      await dataSource.destroy();
    }
  }

  async function startReady(): Promise<RunningProcess> {
    const server = processes.start('server', { env });
    await waitForHttpStatus(`${base}/readyz`, 200, START_DEADLINE_MS, server);
    // The first administrator is created just after the server listens; this line comes last.
    await server.waitForOutput(READY_LOG, START_DEADLINE_MS);
    return server;
  }

  beforeAll(async () => {
    setup = await createTestSetup();
    // A directory that does not exist yet: the server creates it, and its secrets, itself.
    dataDir = join(setup.config.dataDir, 'first-start');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      ...setup.env,
      STEWARD_DATA_DIR: dataDir,
      STEWARD_HTTP_PORT: String(port),
      STEWARD_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      PATH,
    };
  });

  afterAll(async () => {
    await processes.stopAll();
    await setup?.cleanup();
  });

  describe('first start, with no configuration beyond the data directory and database', () => {
    let server: RunningProcess;

    beforeAll(async () => {
      server = await startReady();
    });

    it('answers /healthz and /readyz with 200', async () => {
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok' });
    });

    if (shape === 'embedded') {
      it('prints the first admin one-time password once on stdout, never on stderr or in a log line', async () => {
        expect(server.stdout.match(/one-time password/g)).toHaveLength(1);
        expect(server.stdout).toMatch(/^ +email: +admin@localhost$/m);
        const password = PASSWORD_LINE.exec(server.stdout)?.[1] ?? '';
        expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
        expect(server.stdout.split(password)).toHaveLength(2); // exactly one occurrence
        expect(server.stderr).not.toContain(password);
        const logs = logLines(server.stdout);
        expect(logs.length).toBeGreaterThan(0);
        for (const line of logs) expect(line).not.toContain(password);
        expect(await userEmails()).toEqual(['admin@localhost']);
      });
    } else {
      it('creates no administrator: production admins come from `steward user create-admin`', async () => {
        expect(server.stdout).not.toContain('one-time password');
        expect(server.stdout).not.toContain('admin@localhost');
        expect(await userEmails()).toEqual([]);
      });
    }

    it('creates the data directory with mode 0700 and secrets.json with mode 0600', () => {
      expect(mode(dataDir)).toBe('0700');
      expect(mode(join(dataDir, 'secrets.json'))).toBe('0600');
    });

    it('exits 0 on SIGTERM within the shutdown deadline', async () => {
      server.signal('SIGTERM');
      const exit = await server.waitForExit(SHUTDOWN_TIMEOUT_MS + 3_000);
      expect({ ...exit, stderr: server.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
      expect(server.stdout).toContain('shutting down on SIGTERM');
    });
  });

  it('prints no password on a second start on the same data directory', async () => {
    const server = await startReady();
    await server.stop();
    expect(server.stdout).not.toContain('one-time password');
    expect(server.stdout).not.toMatch(PASSWORD_LINE);
    expect(await userEmails()).toEqual(shape === 'embedded' ? ['admin@localhost'] : []);
  });

  it('refuses a group-readable secrets.json with exit 78, naming the file and chmod 600', async () => {
    const secretsFile = join(dataDir, 'secrets.json');
    chmodSync(secretsFile, 0o640);
    try {
      const result = await processes.run('server', { env });
      expectExitCode(result, 78);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(secretsFile);
      expect(lines[0]).toContain(`chmod 600 ${secretsFile}`);
      expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
    } finally {
      chmodSync(secretsFile, 0o600);
    }
  });

  it('refuses STEWARD_HTTP_PORT=eighty with exit 78, naming the variable and what it expects', async () => {
    const result = await processes.run('server', {
      env: { ...env, STEWARD_HTTP_PORT: 'eighty' },
    });
    expectExitCode(result, 78);
    expect(result.stderr).toMatch(
      /STEWARD_HTTP_PORT: expected a TCP port \(1–65535\), got "eighty"/,
    );
    expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
  });

  describe('with STEWARD_MIGRATE_ON_BOOT=false', () => {
    let empty: TestDatabase;
    let emptyDataDir: string;

    beforeAll(async () => {
      empty = await createTestDatabase();
      emptyDataDir = mkdtempSync(join(tmpdir(), 'steward-e2e-'));
    });

    afterAll(async () => {
      await empty?.drop();
      if (emptyDataDir) rmSync(emptyDataDir, { recursive: true, force: true });
    });

    it('refuses to start on an empty database with exit 78, saying to run steward migrate', async () => {
      const result = await processes.run('server', {
        env: {
          ...env,
          STEWARD_DATA_DIR: emptyDataDir,
          DATABASE_URL: empty.url,
          STEWARD_MIGRATE_ON_BOOT: 'false',
        },
      });
      expectExitCode(result, 78);
      expect(result.stderr).toMatch(/migration\(s\) pending/);
      expect(result.stderr).toContain('steward migrate');
      expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
    });
  });
});

describe('steward-worker in the embedded shape', () => {
  const processes = new ProcessTracker();
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'steward-e2e-'));
  });

  afterAll(async () => {
    await processes.stopAll();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses to start with exit 78, saying it needs DATABASE_URL and REDIS_URL', async () => {
    const result = await processes.run('worker', {
      env: { STEWARD_DATA_DIR: dataDir, STEWARD_WORKER_HTTP_PORT: '0', PATH },
    });
    expectExitCode(result, 78);
    expect(result.stderr).toMatch(/^steward-worker: .*DATABASE_URL.*REDIS_URL/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
  });
});
