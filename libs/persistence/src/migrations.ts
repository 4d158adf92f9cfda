import type { DataSource, QueryRunner } from 'typeorm';
import { MIGRATIONS_TABLE, isMysqlFamily } from './data-source';

export class MigrationsPendingError extends Error {
  constructor(readonly pending: readonly string[]) {
    super(
      `${pending.length} database migration(s) pending (${pending.join(', ')}); ` +
        'run `steward migrate`, or set STEWARD_MIGRATE_ON_BOOT=true',
    );
    this.name = 'MigrationsPendingError';
  }
}

const LOCK_NAME = 'steward_schema_migrations';
const LOCK_WAIT_SECONDS = 120;

function migrationName(migration: { name?: string; constructor: { name: string } }): string {
  return migration.name ?? migration.constructor.name;
}

/** Names of the migrations this build has that the database has not applied, oldest first. */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const applied = new Set<string>();
    if (await runner.hasTable(MIGRATIONS_TABLE)) {
      const rows = (await runner.query(`SELECT name FROM ${MIGRATIONS_TABLE}`)) as {
        name: string;
      }[];
      for (const row of rows) applied.add(row.name);
    }
    return dataSource.migrations.map(migrationName).filter((name) => !applied.has(name));
  } finally {
    await runner.release();
  }
}

/**
 * Applies pending migrations. On MySQL a named lock (GET_LOCK) serialises servers that start
 * together; the loser waits, then finds nothing left to do. Returns the names applied.
 */
export async function applyMigrations(dataSource: DataSource): Promise<string[]> {
  return withMigrationLock(dataSource, async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  });
}

async function withMigrationLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  if (!isMysqlFamily(dataSource)) return work();
  const runner: QueryRunner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [row] = (await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [
      LOCK_NAME,
      LOCK_WAIT_SECONDS,
    ])) as {
      acquired: number | null;
    }[];
    if (row?.acquired !== 1) {
      throw new Error(
        `could not take the migration lock within ${LOCK_WAIT_SECONDS} s; is another migration stuck?`,
      );
    }
    try {
      return await work();
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    await runner.release();
  }
}

/** Brings the schema up to date, or refuses with MigrationsPendingError when not allowed to. */
export async function prepareSchema(dataSource: DataSource, migrate: boolean): Promise<string[]> {
  if (migrate) return applyMigrations(dataSource);
  const pending = await pendingMigrations(dataSource);
  if (pending.length > 0) throw new MigrationsPendingError(pending);
  return [];
}

/**
 * The SQL TypeORM would run to make the database match the entities. After all migrations
 * are applied this must be empty; anything listed is drift between entities and migrations.
 */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}
