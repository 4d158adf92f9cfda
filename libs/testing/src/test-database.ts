import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { loadTestEnvironment } from '@steward/platform';
import type { DataSource } from 'typeorm';

/** A database of its own for one test file, in the shape under test. */
export interface TestDatabase {
  /** DATABASE_URL for this database. */
  readonly url: string;
  readonly dialect: 'sqlite' | 'mysql';
  drop(): Promise<void>;
}

/** Fails (never skips) when the production shape is under test but a service is missing. */
export function requireService(name: 'STEWARD_TEST_MYSQL_URL' | 'STEWARD_TEST_REDIS_URL'): string {
  const env = loadTestEnvironment();
  const value = name === 'STEWARD_TEST_MYSQL_URL' ? env.mysqlUrl : env.redisUrl;
  if (!value) {
    throw new Error(
      `${name} is not set, but STEWARD_TEST_SHAPE=production needs it; ` +
        'run eval "$(../shared/ci/ensure-services.sh)" first',
    );
  }
  return value;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const env = loadTestEnvironment();
  if (env.shape === 'embedded') {
    const dir = mkdtempSync(join(tmpdir(), 'steward-db-'));
    const path = join(dir, 'steward.sqlite');
    return {
      url: `sqlite:${path}`,
      dialect: 'sqlite',
      drop: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const serverUrl = new URL(requireService('STEWARD_TEST_MYSQL_URL'));
  const name = `steward_t_${randomBytes(5).toString('hex')}`;
  const admin = await createConnection({ uri: serverUrl.toString() });
  try {
    await admin.query(
      `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dialect: 'mysql',
    drop: async () => {
      const connection = await createConnection({ uri: serverUrl.toString() });
      try {
        await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await connection.end();
      }
    },
  };
}

/** Empties every entity table (faster than migrating again between tests). */
export async function truncateAll(dataSource: DataSource): Promise<void> {
  const tables = dataSource.entityMetadatas.map((m) => m.tableName);
  const mysql = dataSource.options.type !== 'better-sqlite3';
  await dataSource.transaction(async (manager) => {
    if (mysql) await manager.query('SET FOREIGN_KEY_CHECKS = 0');
    else await manager.query('PRAGMA defer_foreign_keys = ON');
    for (const table of tables)
      await manager.query(`DELETE FROM ${mysql ? `\`${table}\`` : `"${table}"`}`);
    if (mysql) await manager.query('SET FOREIGN_KEY_CHECKS = 1');
  });
}
