import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVER_NODE_OPTIONS } from '@steward/runtime';

export interface StartupFigures {
  /** Spawn to the first 200 from /readyz, first start on an empty data directory. */
  readonly coldStartMs: number;
  /** The same for a second start on the same data directory. */
  readonly warmStartMs: number;
  /** Resident set size of the server after it has been idle for a few seconds. */
  readonly idleRssMb: number;
}

const SERVER = resolve(__dirname, '../apps/server/src/main.js');

async function waitReady(url: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  throw new Error(`server not ready within ${deadlineMs} ms`);
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function startOnce(
  env: NodeJS.ProcessEnv,
  port: number,
  idleMs: number,
): Promise<{ ms: number; rss: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [...SERVER_NODE_OPTIONS, SERVER], {
    env: { ...env, STEWARD_HTTP_PORT: String(port), STEWARD_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitReady(`http://127.0.0.1:${port}/readyz`, 30_000);
    const ms = performance.now() - started;
    let rss = 0;
    if (idleMs > 0) {
      await sleep(idleMs);
      rss = rssMb(child.pid as number);
    }
    return { ms, rss };
  } finally {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  }
}

/**
 * Starts the built server `runs` times on fresh data directories (and once more on each to
 * measure a warm start); returns the medians. `env` selects the shape.
 */
export async function serverStartup(
  baseEnv: NodeJS.ProcessEnv,
  runs: number,
  freshDatabase?: () => Promise<{ url: string; drop: () => Promise<void> }>,
): Promise<StartupFigures> {
  const cold: number[] = [];
  const warm: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-'));
    const database = freshDatabase ? await freshDatabase() : undefined;
    const env = {
      ...baseEnv,
      STEWARD_DATA_DIR: dataDir,
      ...(database ? { DATABASE_URL: database.url } : {}),
    };
    try {
      cold.push((await startOnce(env, 39_100 + i, 0)).ms);
      const second = await startOnce(env, 39_200 + i, 3_000);
      warm.push(second.ms);
      rss.push(second.rss);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await database?.drop();
    }
  }
  return { coldStartMs: median(cold), warmStartMs: median(warm), idleRssMb: median(rss) };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
