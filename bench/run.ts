// `npm run bench`: prints performance figures (no pass/fail). The production-shape figures need
// STEWARD_TEST_MYSQL_URL and STEWARD_TEST_REDIS_URL (eval "$(../shared/ci/ensure-services.sh)").
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { loadTestEnvironment } from '@steward/platform';
import { queueThroughput } from './queue-throughput';
import { median, serverStartup } from './server-startup';
import { signInThroughput } from './sign-in';
import { tokenAuthThroughput } from './token-auth';

const RUNS = 5;

function print(name: string, value: string): void {
  process.stdout.write(`${name.padEnd(48)} ${value}\n`);
}

async function freshMysqlDatabase(
  serverUrl: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `steward_bench_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({ uri: serverUrl });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = await createConnection({ uri: serverUrl });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

async function main(): Promise<void> {
  const env = loadTestEnvironment();
  // The servers get a minimal environment of their own, never the caller's settings.
  // eslint-disable-next-line no-restricted-properties -- PATH only, to find the runtime
  const base = { PATH: process.env.PATH ?? '', STEWARD_BCRYPT_COST: '12' };
  process.stdout.write(`Steward benchmarks (medians of ${RUNS} runs; node ${process.version})\n\n`);

  const embedded = await serverStartup(base, RUNS);
  print('embedded: cold start to ready (first start)', `${embedded.coldStartMs.toFixed(0)} ms`);
  print('embedded: warm start to ready', `${embedded.warmStartMs.toFixed(0)} ms`);
  print('embedded: idle RSS', `${embedded.idleRssMb.toFixed(1)} MB`);

  const auth = await tokenAuthThroughput(base);
  print(
    'embedded: GET /users/me.json, API token, c=16',
    `${auth.perSecond.toFixed(0)} req/s, p95 ${auth.p95Ms.toFixed(1)} ms` +
      (auth.failures > 0 ? `, ${auth.failures} failed` : ''),
  );

  const signIns = await signInThroughput(base);
  print(
    'embedded: POST /session sign-ins/s, bcrypt 12, c=8',
    `${signIns.signInsPerSecond.toFixed(1)} sign-ins/s, p95 ${signIns.p95Ms.toFixed(0)} ms` +
      (signIns.failures > 0 ? `, ${signIns.failures} failed` : ''),
  );

  const inProcess: number[] = [];
  for (let i = 0; i < RUNS; i++)
    inProcess.push((await queueThroughput('in-process', 100_000)).jobsPerSecond);
  print('in-process runner: no-op jobs/s (100,000 jobs)', median(inProcess).toFixed(0));

  if (!env.mysqlUrl || !env.redisUrl) {
    process.stdout.write(
      '\nproduction shape skipped: set STEWARD_TEST_MYSQL_URL and STEWARD_TEST_REDIS_URL\n',
    );
    return;
  }
  const production = await serverStartup(
    {
      ...base,
      REDIS_URL: env.redisUrl,
      STEWARD_REDIS_PREFIX: `steward-bench-${randomBytes(3).toString('hex')}`,
    },
    RUNS,
    () => freshMysqlDatabase(env.mysqlUrl as string),
  );
  print('production: cold start to ready (first start)', `${production.coldStartMs.toFixed(0)} ms`);
  print('production: warm start to ready', `${production.warmStartMs.toFixed(0)} ms`);
  print('production: idle RSS (server)', `${production.idleRssMb.toFixed(1)} MB`);

  const bull: number[] = [];
  for (let i = 0; i < RUNS; i++)
    bull.push((await queueThroughput('bullmq', 20_000, env.redisUrl)).jobsPerSecond);
  print('BullMQ: no-op jobs/s (20,000 jobs)', median(bull).toFixed(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
