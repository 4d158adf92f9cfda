import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  call,
  CLI,
  type LoadFigures,
  measure,
  runCommand,
  startServer,
  stopServer,
} from './http-load';

export interface TokenAuthOptions {
  readonly concurrency?: number;
  readonly durationMs?: number;
  readonly warmupMs?: number;
  readonly port?: number;
}

const EMAIL = 'bench@example.com';

/** An administrator and an API token for it, made with the steward command. */
export async function createAdminToken(env: NodeJS.ProcessEnv, email: string): Promise<string> {
  await runCommand(process.execPath, [CLI, 'user', 'create-admin', '--email', email], { env });
  const { stdout } = await runCommand(
    process.execPath,
    [CLI, 'token', 'create', '--user', email, '--name', 'bench'],
    { env },
  );
  const token = /^token: (\S+)$/m.exec(stdout)?.[1];
  if (!token) throw new Error(`steward token create printed no token:\n${stdout}`);
  return `Basic ${Buffer.from(`${email}/token:${token}`).toString('base64')}`;
}

/**
 * Token-authenticated `GET /api/v2/users/me.json` against the built server in the embedded
 * shape, on a fresh data directory: requests per second and p95 latency at `concurrency`.
 */
export async function tokenAuthThroughput(
  baseEnv: NodeJS.ProcessEnv,
  options: TokenAuthOptions = {},
): Promise<LoadFigures> {
  const { concurrency = 16, durationMs = 5_000, warmupMs = 1_000, port = 39_300 } = options;
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-bench-'));
  const env = {
    ...baseEnv,
    STEWARD_DATA_DIR: dataDir,
    STEWARD_LOG_LEVEL: 'info',
    // The per-user API rate limit would otherwise be what is measured.
    STEWARD_API_RATE_LIMIT: '1000000',
  };
  try {
    const authorization = await createAdminToken(env, EMAIL);
    const server = await startServer(env, port);
    try {
      const url = `http://127.0.0.1:${port}/api/v2/users/me.json`;
      return await measure(
        async (agent) => (await call(agent, url, { authorization })).status === 200,
        { concurrency, durationMs, warmupMs, runs: 1 },
      );
    } finally {
      await stopServer(server);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
