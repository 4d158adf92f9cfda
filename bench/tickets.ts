// `npm run bench:tickets`: ticket API figures against the configured database, seeded first with
// `npm run bench:seed -- --tickets N` (DATABASE_URL, and REDIS_URL for the production shape).
import 'reflect-metadata';
import { createDataSource } from '@steward/persistence';
import { loadConfig } from '@steward/platform';
import { stewardSchema } from '@steward/runtime';
import {
  call,
  CLI,
  type LoadFigures,
  measure,
  runCommand,
  startServer,
  stopServer,
} from './http-load';

const PORT = 39_500;
const ADMIN = 'bench-admin@example.com';
const LOAD = { concurrency: 16, durationMs: 5_000, warmupMs: 1_000, runs: 3 };

/** A fresh API token for `email`, as HTTP Basic credentials. */
async function tokenFor(env: NodeJS.ProcessEnv, email: string): Promise<string> {
  const { stdout } = await runCommand(
    process.execPath,
    [CLI, 'token', 'create', '--user', email, '--name', 'bench'],
    { env },
  );
  const token = /^token: (\S+)$/m.exec(stdout)?.[1];
  if (!token) throw new Error(`steward token create printed no token:\n${stdout}`);
  return `Basic ${Buffer.from(`${email}/token:${token}`).toString('base64')}`;
}

/** The bench administrator (made once) and a token for it. */
async function adminToken(env: NodeJS.ProcessEnv): Promise<string> {
  try {
    await runCommand(process.execPath, [CLI, 'user', 'create-admin', '--email', ADMIN], { env });
  } catch {
    // made by an earlier run
  }
  return tokenFor(env, ADMIN);
}

interface Sample {
  readonly longTickets: number[];
  readonly tickets: number;
  /** An agent of the busiest desk (IT), for views that depend on who runs them. */
  readonly agentEmail: string;
  /** The default views by key (`my_open`, `unassigned_in_my_groups`, `pending`, …). */
  readonly views: ReadonlyMap<string, number>;
  /** Seeded end-users, who file tickets again. */
  readonly requesters: readonly string[];
}

/** Tickets with exactly 20 comments outside confidential groups, an agent, the default views. */
async function sample(): Promise<Sample> {
  const config = loadConfig();
  const data = await createDataSource(config.database, stewardSchema);
  await data.initialize();
  try {
    const rows = await data.query<Array<{ id: number | string }>>(
      `SELECT c.ticket_id AS id FROM ticket_comments c
         JOIN tickets t ON t.id = c.ticket_id
         JOIN ${config.database.dialect === 'mysql' ? '`groups`' : '"groups"'} g ON g.id = t.group_id
        WHERE g.confidential = 0
        GROUP BY c.ticket_id HAVING COUNT(*) = 20 LIMIT 200`,
    );
    const [count] = await data.query<Array<{ n: number | string }>>(
      'SELECT COUNT(*) AS n FROM tickets',
    );
    const groups = config.database.dialect === 'mysql' ? '`groups`' : '"groups"';
    const [agent] = await data.query<Array<{ email: string }>>(
      `SELECT u.email AS email FROM users u
         JOIN group_memberships m ON m.user_id = u.id
         JOIN ${groups} g ON g.id = m.group_id
        WHERE u.role = 'agent' AND g.confidential = 0
        ORDER BY g.id, u.id LIMIT 1`,
    );
    const views = await data.query<Array<{ id: number | string; key: string }>>(
      'SELECT id, default_key AS `key` FROM views WHERE default_key IS NOT NULL'.replace(
        /`/g,
        config.database.dialect === 'mysql' ? '`' : '"',
      ),
    );
    if (!agent) throw new Error('no agent in a group: run npm run bench:seed first');
    const requesters = await data.query<Array<{ email: string }>>(
      "SELECT email FROM users WHERE role = 'end-user' AND email LIKE 'seed-%' ORDER BY id LIMIT 200",
    );
    return {
      longTickets: rows.map((row) => Number(row.id)),
      tickets: Number(count?.n ?? 0),
      agentEmail: agent.email,
      views: new Map(views.map((v) => [v.key, Number(v.id)])),
      requesters: requesters.map((r) => r.email),
    };
  } finally {
    await data.destroy();
  }
}

function line(label: string, figures: LoadFigures, unit = 'req/s'): void {
  const failed = figures.failures > 0 ? `, ${figures.failures} failed` : '';
  process.stdout.write(
    `${label.padEnd(60)} ${figures.perSecond.toFixed(0)} ${unit}, p95 ${figures.p95Ms.toFixed(1)} ms${failed}\n`,
  );
}

async function main(): Promise<void> {
  // The seeded database's settings, as for npm start; the API's per-user rate limit would
  // otherwise be what is measured.
  // eslint-disable-next-line no-restricted-properties -- passed on to the server, not read
  const env = { ...process.env, STEWARD_LOG_LEVEL: 'warn', STEWARD_API_RATE_LIMIT: '1000000' };
  const { longTickets, tickets, agentEmail, views, requesters } = await sample();
  if (requesters.length === 0) throw new Error('no seeded end-user: run npm run bench:seed first');
  if (longTickets.length === 0) {
    throw new Error('no ticket with 20 comments: run npm run bench:seed -- --tickets N first');
  }
  const authorization = await adminToken(env);
  const agent = await tokenFor(env, agentEmail);
  const server = await startServer(env, PORT);
  const base = `http://127.0.0.1:${PORT}/api/v2`;
  process.stdout.write(
    `Ticket API (${tickets.toLocaleString('en')} tickets; concurrency ${LOAD.concurrency}; ` +
      `median of ${LOAD.runs} runs, p95 over all)\n\n`,
  );
  try {
    const ok = (status: number) => status === 200;
    line(
      'show a ticket with 20 comments (GET /tickets/{id})',
      await measure(
        async (agent, worker) =>
          ok(
            (
              await call(
                agent,
                `${base}/tickets/${longTickets[worker % longTickets.length]}.json`,
                { authorization },
              )
            ).status,
          ),
        LOAD,
      ),
    );
    line(
      'its 20 comments (GET /tickets/{id}/comments)',
      await measure(
        async (agent, worker) =>
          ok(
            (
              await call(
                agent,
                `${base}/tickets/${longTickets[worker % longTickets.length]}/comments.json`,
                { authorization },
              )
            ).status,
          ),
        LOAD,
      ),
    );
    line(
      'first page of tickets, newest first (GET /tickets?per_page=25)',
      await measure(
        async (agent) =>
          ok(
            (
              await call(
                agent,
                `${base}/tickets.json?sort_by=updated_at&sort_order=desc&per_page=25`,
                {
                  authorization,
                },
              )
            ).status,
          ),
        LOAD,
      ),
    );
    const get = (path: string, as: string) => async (agentPool: Parameters<typeof call>[0]) =>
      ok((await call(agentPool, `${base}${path}`, { authorization: as })).status);
    const view = (key: string) => {
      const id = views.get(key);
      if (id === undefined) throw new Error(`no default view ${key}`);
      return id;
    };
    line(
      "view 'My open tickets', first page, as an agent",
      await measure(get(`/views/${view('my_open')}/tickets.json?per_page=25`, agent), LOAD),
    );
    line(
      "view 'My open tickets', count, as an agent",
      await measure(get(`/views/${view('my_open')}/count.json`, agent), LOAD),
    );
    line(
      "view 'Unassigned tickets in my groups', count, as an agent",
      await measure(get(`/views/${view('unassigned_in_my_groups')}/count.json`, agent), LOAD),
    );
    line(
      "view 'Pending', first page, as an admin",
      await measure(get(`/views/${view('pending')}/tickets.json?per_page=25`, authorization), LOAD),
    );
    line(
      "view 'Pending', count, as an admin",
      await measure(get(`/views/${view('pending')}/count.json`, authorization), LOAD),
    );
    line(
      'search "printer status:open", as an agent',
      await measure(
        get(`/search.json?query=${encodeURIComponent('printer status:open')}&per_page=25`, agent),
        LOAD,
      ),
    );
    line(
      'search "vpn laptop" (two words), as an admin',
      await measure(
        get(`/search.json?query=${encodeURIComponent('vpn laptop')}&per_page=25`, authorization),
        LOAD,
      ),
    );
    let serial = 0;
    const create =
      (requester: () => { name?: string; email: string }) =>
      async (agentPool: Parameters<typeof call>[0]) =>
        (
          await call(agentPool, `${base}/tickets.json`, {
            method: 'POST',
            authorization,
            body: {
              // Words no measured search looks for, so that runs do not change what they find.
              ticket: {
                subject: 'Benchmark ticket',
                comment: { body: 'Made by the benchmark.' },
                requester: requester(),
              },
            },
          })
        ).status === 201;
    line(
      'create a ticket with its requester (POST /tickets)',
      await measure(
        create(() => ({
          name: 'Bench requester',
          email: `bench-${++serial}-${Date.now()}@example.test`,
        })),
        LOAD,
      ),
      'tickets/s',
    );
    line(
      'create a ticket for an existing requester (POST /tickets)',
      await measure(
        create(() => ({ email: requesters[++serial % requesters.length] })),
        LOAD,
      ),
      'tickets/s',
    );
  } finally {
    await stopServer(server);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:tickets failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
