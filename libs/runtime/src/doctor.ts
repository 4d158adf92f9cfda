import { accessSync, constants, existsSync, statSync } from 'node:fs';
import type * as IORedis from 'ioredis';
import {
  ConfigError,
  loadConfig,
  looseModeProblem,
  readSecrets,
  type StewardConfig,
} from '@steward/platform';
import { createDataSource, pendingMigrations } from '@steward/persistence';
import { storageProblem } from '@steward/storage';
import { stewardSchema } from './schema';

export interface DoctorCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly hint?: string;
}

type Outcome = Omit<DoctorCheck, 'name'>;

const ok = (detail: string): Outcome => ({ ok: true, detail });
const fail = (detail: string, hint?: string): Outcome => ({ ok: false, detail, hint });

/** Network failures in words, with the system's code kept for searching. */
const PLAIN: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused: nothing listens at that address and port',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name could not be resolved right now',
  ETIMEDOUT: 'no answer: the connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ECONNRESET: 'the connection was reset by the server',
  EACCES: 'permission denied',
};

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e.code && PLAIN[e.code]) return `${PLAIN[e.code]} (${e.code})`;
  return e.code && e.message && !e.message.includes(e.code)
    ? `${e.message} (${e.code})`
    : (e.message ?? String(error));
}

function checkDataDir(config: StewardConfig): Outcome {
  if (!existsSync(config.dataDir)) {
    return fail(
      `${config.dataDir} does not exist`,
      'start the server once, or create it owned by the Steward user',
    );
  }
  try {
    accessSync(config.dataDir, constants.W_OK | constants.R_OK | constants.X_OK);
  } catch {
    return fail(
      `${config.dataDir} is not writable by this user`,
      `chown the directory to the user Steward runs as`,
    );
  }
  const mode = statSync(config.dataDir).mode & 0o777;
  if (mode & 0o007) {
    return fail(
      `${config.dataDir} is open to other users (mode ${mode.toString(8)})`,
      `chmod 700 ${config.dataDir}`,
    );
  }
  return ok(config.dataDir);
}

function checkSecrets(config: StewardConfig): Outcome {
  if (!existsSync(config.secretsFile)) {
    return fail(
      `${config.secretsFile} does not exist`,
      'start the server once to generate it, or restore it from escrow',
    );
  }
  const loose = looseModeProblem(config.secretsFile);
  if (loose) return fail(loose, `chmod 600 ${config.secretsFile}`);
  try {
    const secrets = readSecrets(config.secretsFile);
    return ok(
      `${config.secretsFile} (mode 0600; ${secrets.keyring.keys.length} key-encryption key(s), current ${secrets.keyring.currentId})`,
    );
  } catch (error) {
    return fail(describe(error), 'restore the secrets file from escrow');
  }
}

async function checkStorage(config: StewardConfig): Promise<Outcome> {
  const problem = await storageProblem(config.storageDir);
  return problem ? fail(problem) : ok(config.storageDir);
}

async function checkDatabase(
  config: StewardConfig,
): Promise<{ database: Outcome; migrations: Outcome }> {
  const sqlitePath = config.database.sqlitePath;
  if (sqlitePath !== undefined && !existsSync(sqlitePath)) {
    // Opening it would create an empty database: report instead, and change nothing.
    return {
      database: fail(
        `no database at ${sqlitePath}`,
        'start the server once, or run: steward migrate',
      ),
      migrations: fail('not checked: no database'),
    };
  }
  let dataSource;
  try {
    dataSource = await createDataSource(config.database, stewardSchema);
    await dataSource.initialize();
  } catch (error) {
    const where =
      config.database.dialect === 'sqlite'
        ? config.database.sqlitePath
        : 'the MySQL/MariaDB server';
    const outcome = fail(
      `cannot connect to ${where}: ${describe(error)}`,
      'check DATABASE_URL and that the database server runs',
    );
    return { database: outcome, migrations: fail('not checked: no database connection') };
  }
  try {
    const [row] = await dataSource.query<{ version: string }[]>(
      config.database.dialect === 'sqlite'
        ? 'SELECT sqlite_version() AS version'
        : 'SELECT VERSION() AS version',
    );
    const database = ok(
      config.database.dialect === 'sqlite'
        ? `SQLite ${row?.version} at ${config.database.sqlitePath}`
        : `${dataSource.options.type === 'mariadb' ? 'MariaDB' : 'MySQL'} ${row?.version}`,
    );
    const pending = await pendingMigrations(dataSource);
    const migrations =
      pending.length === 0
        ? ok(`all ${stewardSchema.migrations.length} applied`)
        : fail(`${pending.length} pending: ${pending.join(', ')}`, 'run: steward migrate');
    return { database, migrations };
  } finally {
    await dataSource.destroy();
  }
}

async function checkRedis(url: string): Promise<Outcome> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- only the production shape needs it
  const { Redis } = require('ioredis') as typeof IORedis;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // ioredis reports the cause (refused, unknown host, auth) on its error event and then fails
  // the command with a bare "Connection is closed": keep the cause for the message.
  let cause: unknown;
  redis.on('error', (error: unknown) => {
    cause ??= error;
  });
  const where = `${redis.options.host ?? '?'}:${redis.options.port ?? '?'}`;
  try {
    await redis.connect();
    await redis.ping();
    const info = await redis.info('memory');
    const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
    if (policy !== 'noeviction') {
      return fail(
        `Redis at ${where} evicts keys (maxmemory-policy ${policy ?? 'unknown'}); jobs could be lost`,
        'set maxmemory-policy noeviction in redis.conf',
      );
    }
    return ok(`Redis ${version ?? ''} at ${where} (noeviction)`);
  } catch (error) {
    return fail(
      `cannot reach Redis at ${where}: ${describe(cause ?? error)}`,
      'start Redis, or check REDIS_URL',
    );
  } finally {
    redis.disconnect();
  }
}

/** Every check of `steward doctor`, in order; none throws. */
export async function runDoctor(env?: Record<string, string | undefined>): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  let config: StewardConfig;
  try {
    config = loadConfig(env ? { env } : {});
  } catch (error) {
    const detail = error instanceof ConfigError ? error.problems.join('; ') : describe(error);
    return [{ name: 'configuration', ok: false, detail, hint: 'see config/steward.example.env' }];
  }
  const where =
    config.shape === 'production'
      ? 'production shape (MySQL/MariaDB + Redis)'
      : 'embedded shape (SQLite, in-process jobs)';
  checks.push({ name: 'configuration', ...ok(where) });
  checks.push({ name: 'data directory', ...checkDataDir(config) });
  checks.push({ name: 'secrets', ...checkSecrets(config) });
  checks.push({ name: 'storage', ...(await checkStorage(config)) });
  const { database, migrations } = await checkDatabase(config);
  checks.push({ name: 'database', ...database }, { name: 'migrations', ...migrations });
  if (config.redisUrl) checks.push({ name: 'redis', ...(await checkRedis(config.redisUrl)) });
  return checks;
}
