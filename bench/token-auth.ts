import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { SERVER_NODE_OPTIONS } from '@steward/runtime';

export interface TokenAuthFigures {
  /** Successful token-authenticated requests per second over the measured period. */
  readonly requestsPerSecond: number;
  /** 95th percentile latency of those requests, as the client saw it. */
  readonly p95Ms: number;
  /** Requests that did not answer 200 (should be 0). */
  readonly failures: number;
}

export interface TokenAuthOptions {
  readonly concurrency?: number;
  readonly durationMs?: number;
  readonly warmupMs?: number;
  readonly port?: number;
}

const SERVER = resolve(__dirname, '../apps/server/src/main.js');
const CLI = resolve(__dirname, '../apps/cli/src/main.js');
const EMAIL = 'bench@example.com';
const run = promisify(execFile);

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

/** An administrator and an API token for it, made with the steward command. */
async function createToken(env: NodeJS.ProcessEnv): Promise<string> {
  await run(process.execPath, [CLI, 'user', 'create-admin', '--email', EMAIL], { env });
  const { stdout } = await run(
    process.execPath,
    [CLI, 'token', 'create', '--user', EMAIL, '--name', 'bench'],
    { env },
  );
  const token = /^token: (\S+)$/m.exec(stdout)?.[1];
  if (!token) throw new Error(`steward token create printed no token:\n${stdout}`);
  return token;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** One GET on a kept-alive connection; resolves with the status once the body has been read. */
function request(url: string, agent: Agent, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent, headers: { authorization } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', reject);
    }).once('error', reject);
  });
}

/**
 * `concurrency` workers, each sending requests one after another until `until`. The client is
 * node:http with keep-alive rather than fetch: on a small machine fetch's own CPU cost would
 * be measured with the server's.
 */
async function load(
  url: string,
  authorization: string,
  concurrency: number,
  until: number,
): Promise<{ latencies: number[]; failures: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let failures = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const started = performance.now();
      const status = await request(url, agent, authorization);
      if (status === 200) latencies.push(performance.now() - started);
      else failures += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { latencies, failures };
}

/**
 * Token-authenticated `GET /api/v2/users/me.json` against the built server in the embedded
 * shape, on a fresh data directory: requests per second and p95 latency at `concurrency`.
 */
export async function tokenAuthThroughput(
  baseEnv: NodeJS.ProcessEnv,
  options: TokenAuthOptions = {},
): Promise<TokenAuthFigures> {
  const { concurrency = 16, durationMs = 5_000, warmupMs = 1_000, port = 39_300 } = options;
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-'));
  const env = { ...baseEnv, STEWARD_DATA_DIR: dataDir, STEWARD_LOG_LEVEL: 'info' };
  try {
    const token = await createToken(env);
    const authorization = `Basic ${Buffer.from(`${EMAIL}/token:${token}`).toString('base64')}`;
    const child = spawn(process.execPath, [...SERVER_NODE_OPTIONS, SERVER], {
      env: { ...env, STEWARD_HTTP_PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitReady(`${base}/readyz`, 30_000);
      const url = `${base}/api/v2/users/me.json`;
      await load(url, authorization, concurrency, performance.now() + warmupMs);
      const started = performance.now();
      const { latencies, failures } = await load(
        url,
        authorization,
        concurrency,
        started + durationMs,
      );
      const seconds = (performance.now() - started) / 1_000;
      latencies.sort((a, b) => a - b);
      return {
        requestsPerSecond: Math.round(latencies.length / seconds),
        p95Ms: percentile(latencies, 95),
        failures,
      };
    } finally {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
