import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { SERVER_NODE_OPTIONS } from '@steward/runtime';
import { median } from './server-startup';

/** The built server and command, as `npm start` and `npx steward` run them. */
export const SERVER = resolve(__dirname, '../apps/server/src/main.js');
export const CLI = resolve(__dirname, '../apps/cli/src/main.js');
export const runCommand = promisify(execFile);

/** What one measured load reports. */
export interface LoadFigures {
  /** Requests that answered as expected, per second, over the measured period. */
  readonly perSecond: number;
  /** 95th percentile latency of those requests, as the client saw it. */
  readonly p95Ms: number;
  /** Requests that answered otherwise (should be 0). */
  readonly failures: number;
}

/** Sends one request on the agent; resolves true when it answered as expected. */
export type Send = (agent: Agent, worker: number) => Promise<boolean>;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export async function waitReady(url: string, deadlineMs: number): Promise<void> {
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

/** The built server on `port` with `env`, started as `npm start` starts it, once ready. */
export async function startServer(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...SERVER_NODE_OPTIONS, SERVER], {
    env: { ...env, STEWARD_HTTP_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitReady(`http://127.0.0.1:${port}/readyz`, 60_000);
  } catch (error) {
    await stopServer(child);
    throw error;
  }
  return child;
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

/** One request on a kept-alive connection; resolves with the status and the body. */
export function call(
  agent: Agent,
  url: string,
  options: { method?: string; authorization?: string; body?: unknown } = {},
): Promise<{ status: number; body: string }> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((done, fail) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? 'GET',
        agent,
        headers: {
          ...(options.authorization ? { authorization: options.authorization } : {}),
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('end', () =>
          done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.once('error', fail);
      },
    );
    req.once('error', fail);
    req.end(payload);
  });
}

/**
 * `concurrency` workers, each sending one request after another until `until`. The client is
 * node:http with keep-alive rather than fetch: on a small machine fetch's own CPU cost would be
 * measured with the server's.
 */
async function closedLoop(
  send: Send,
  concurrency: number,
  until: number,
): Promise<{ latencies: number[]; failures: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let failures = 0;
  const worker = async (index: number): Promise<void> => {
    while (performance.now() < until) {
      const started = performance.now();
      // A reset connection counts as a failed request; it does not end the measurement.
      const ok = await send(agent, index).catch(() => false);
      if (ok) latencies.push(performance.now() - started);
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

/** A warm-up, then `runs` measured periods: the median rate and the p95 over all of them. */
export async function measure(
  send: Send,
  options: { concurrency: number; durationMs: number; warmupMs: number; runs: number },
): Promise<LoadFigures> {
  await closedLoop(send, options.concurrency, performance.now() + options.warmupMs);
  const rates: number[] = [];
  const latencies: number[] = [];
  let failures = 0;
  for (let run = 0; run < options.runs; run++) {
    const started = performance.now();
    const result = await closedLoop(send, options.concurrency, started + options.durationMs);
    rates.push(result.latencies.length / ((performance.now() - started) / 1_000));
    latencies.push(...result.latencies);
    failures += result.failures;
  }
  latencies.sort((a, b) => a - b);
  return { perSecond: median(rates), p95Ms: percentile(latencies, 95), failures };
}
