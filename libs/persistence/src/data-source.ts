import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseConfig } from '@steward/platform';
import type * as MySql from 'mysql2/promise';
import { DataSource, type DataSourceOptions } from 'typeorm';

/** A class, as TypeORM takes entities and migrations (abstract base classes included). */
export type ClassType = abstract new (...args: never[]) => unknown;

export interface SchemaParts {
  readonly entities: readonly ClassType[];
  readonly migrations: readonly ClassType[];
}

export const MIGRATIONS_TABLE = 'schema_migrations';

export type MysqlFlavour = 'mysql' | 'mariadb';

/**
 * Asks a MySQL-protocol server whether it is MariaDB or MySQL: the two report column defaults
 * differently, and TypeORM needs to know which to compare schemas correctly.
 */
export async function detectMysqlFlavour(url: string): Promise<MysqlFlavour> {
  // Loaded here, not at the top: the embedded shape never needs the MySQL client.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy
  const mysql = require('mysql2/promise') as typeof MySql;
  const connection = await mysql.createConnection({ uri: url, connectTimeout: 10_000 });
  try {
    const [rows] = await connection.query('SELECT VERSION() AS version');
    const version = (rows as { version: string }[])[0]?.version ?? '';
    return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
  } finally {
    await connection.end();
  }
}

/** True when the data source talks to MySQL or MariaDB (not SQLite). */
export function isMysqlFamily(dataSource: DataSource): boolean {
  return dataSource.options.type === 'mysql' || dataSource.options.type === 'mariadb';
}

/** TypeORM options for either dialect; never `synchronize`: the schema is the migrations'. */
export function dataSourceOptions(
  database: DatabaseConfig,
  schema: SchemaParts,
  flavour: MysqlFlavour = 'mysql',
): DataSourceOptions {
  const common = {
    entities: [...schema.entities],
    migrations: [...schema.migrations],
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsRun: false,
    synchronize: false,
    logging: false,
  };
  if (database.dialect === 'sqlite') {
    const path = database.sqlitePath as string;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    return {
      ...common,
      type: 'better-sqlite3',
      database: path,
      enableWAL: true,
      timeout: 5_000,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('foreign_keys = ON');
        db.pragma('synchronous = NORMAL');
      },
    };
  }
  return {
    ...common,
    type: flavour,
    url: database.url,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    extra: { connectionLimit: database.poolSize },
  };
}

/** A data source for the configured database (not yet initialised). */
export async function createDataSource(
  database: DatabaseConfig,
  schema: SchemaParts,
): Promise<DataSource> {
  const flavour = database.dialect === 'mysql' ? await detectMysqlFlavour(database.url) : undefined;
  return new DataSource(dataSourceOptions(database, schema, flavour));
}
