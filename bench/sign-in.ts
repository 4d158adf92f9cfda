import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { median } from './server-startup';
import { SERVER_NODE_OPTIONS } from '@steward/runtime';

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

const SERVER = resolve(__dirname, '../apps/server/src/main.js');
const CLI = resolve(__dirname, '../apps/cli/src/main.js');
const PASSWORD = 'bench sign-in passphrase 42';

async function waitReady(url: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
  throw new Error(`server not ready within ${deadlineMs} ms`);
}

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

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** One `POST /api/v2/session` on a kept-alive connection; resolves with the status. */
function signIn(url: string, agent: Agent, email: string): Promise<number> {
  const body = JSON.stringify({ email, password: PASSWORD });
  return new Promise((done, fail) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.once('end', () => done(res.statusCode ?? 0));
        res.once('error', fail);
      },
    );
    req.once('error', fail);
    req.end(body);
  });
}

/** `concurrency` workers signing in one after another until `until`, each as its own user. */
async function load(
  url: string,
  emails: readonly string[],
  concurrency: number,
  until: number,
): Promise<{ latencies: number[]; failures: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let failures = 0;
  const worker = async (index: number): Promise<void> => {
    const email = emails[index % emails.length] ?? '';
    while (performance.now() < until) {
      const started = performance.now();
      const status = await signIn(url, agent, email);
      if (status === 200) latencies.push(performance.now() - started);
      else failures += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  } finally {
    agent.destroy();
  }
  return { latencies, failures };
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
  };
  try {
    const emails = Array.from({ length: users }, (_, i) => `bench-${i}@example.com`);
    for (const email of emails) await createUser(env, email);
    const child = spawn(process.execPath, [...SERVER_NODE_OPTIONS, SERVER], {
      env: { ...env, STEWARD_HTTP_PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitReady(`${base}/readyz`, 30_000);
      const url = `${base}/api/v2/session`;
      await load(url, emails, concurrency, performance.now() + warmupMs);
      const rates: number[] = [];
      const latencies: number[] = [];
      let failures = 0;
      for (let run = 0; run < runs; run++) {
        const started = performance.now();
        const result = await load(url, emails, concurrency, started + durationMs);
        rates.push(result.latencies.length / ((performance.now() - started) / 1_000));
        latencies.push(...result.latencies);
        failures += result.failures;
      }
      latencies.sort((a, b) => a - b);
      return { signInsPerSecond: median(rates), p95Ms: percentile(latencies, 95), failures };
    } finally {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
