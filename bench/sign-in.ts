import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, CLI, measure, startServer, stopServer } from './http-load';

export interface SignInFigures {
  /** Median over the runs of successful sign-ins per second. */
  readonly signInsPerSecond: number;
  /** 95th percentile latency of all successful sign-ins, as the client saw them. */
  readonly p95Ms: number;
  /** Sign-ins that did not answer 200 (should be 0). */
  readonly failures: number;
}

export interface SignInOptions {
  /** Enough to keep bcrypt busy on every core: it runs in libuv's pool of 4 threads. */
  readonly concurrency?: number;
  readonly users?: number;
  readonly runs?: number;
  readonly durationMs?: number;
  readonly warmupMs?: number;
  readonly port?: number;
}

const PASSWORD = 'bench sign-in passphrase 42';

/** An administrator with a known password, made with the steward command. */
function createUser(env: NodeJS.ProcessEnv, email: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = execFile(
      process.execPath,
      [CLI, 'user', 'create-admin', '--email', email, '--password-stdin'],
      { env },
      (error) =>
        error ? fail(new Error(`steward user create-admin failed: ${error.message}`)) : done(),
    );
    child.stdin?.end(`${PASSWORD}\n`);
  });
}

/**
 * Password sign-ins (`POST /api/v2/session`, bcrypt at the cost in `baseEnv`) against the built
 * server in the embedded shape, on a fresh data directory: sign-ins per second (median of
 * `runs`) and p95 latency at `concurrency`. Every worker signs in as its own user, and the
 * sign-in throttle's limits are raised, so throttling cannot shape the figure (it only counts
 * failures, and there should be none). Each sign-in is one bcrypt comparison, a session row
 * and an audit entry, as in real use.
 */
export async function signInThroughput(
  baseEnv: NodeJS.ProcessEnv,
  options: SignInOptions = {},
): Promise<SignInFigures> {
  const {
    concurrency = 8,
    users = 8,
    runs = 5,
    durationMs = 4_000,
    warmupMs = 2_000,
    port = 39_400,
  } = options;
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-'));
  const env = {
    ...baseEnv,
    STEWARD_DATA_DIR: dataDir,
    STEWARD_LOG_LEVEL: 'warn',
    STEWARD_SIGN_IN_ACCOUNT_MAX_FAILURES: '1000',
    STEWARD_SIGN_IN_IP_MAX_FAILURES: '100000',
    // The users are admins (what `steward user create-admin` makes): measure the password step
    // alone, not a second factor they would otherwise have to enrol.
    STEWARD_TWO_FACTOR_REQUIRED: 'off',
    STEWARD_API_RATE_LIMIT: '1000000',
  };
  try {
    const emails = Array.from({ length: users }, (_, i) => `bench-${i}@example.com`);
    for (const email of emails) await createUser(env, email);
    const server = await startServer(env, port);
    try {
      const url = `http://127.0.0.1:${port}/api/v2/session`;
      const figures = await measure(
        async (agent, worker) =>
          (
            await call(agent, url, {
              method: 'POST',
              body: { email: emails[worker % emails.length], password: PASSWORD },
            })
          ).status === 200,
        { concurrency, durationMs, warmupMs, runs },
      );
      return {
        signInsPerSecond: figures.perSecond,
        p95Ms: figures.p95Ms,
        failures: figures.failures,
      };
    } finally {
      await stopServer(server);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
