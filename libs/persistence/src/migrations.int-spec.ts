import { loadConfig } from '@steward/platform';
import { createTestDatabase, type TestDatabase } from '@steward/testing';
import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { createDataSource } from './data-source';
import {
  applyMigrations,
  MigrationsPendingError,
  pendingMigrations,
  prepareSchema,
  schemaDrift,
} from './migrations';
import { PortableColumns } from './schema-types';

/** A migration slow enough that two runners starting together would overlap without a lock. */
class CreateLockProbe1700000000001 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await runner.createTable(
      new Table({ name: 'lock_probe', columns: [c.id(), c.string('note', 40)] }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('lock_probe');
  }
}

const schema = { entities: [], migrations: [CreateLockProbe1700000000001] };

describe('migrations', () => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase();
  });

  afterEach(async () => {
    await database.drop();
  });

  function open() {
    const env: Record<string, string> = { DATABASE_URL: database.url };
    if (database.dialect === 'mysql') env.REDIS_URL = 'redis://127.0.0.1:1';
    const config = loadConfig({ env });
    return createDataSource(config.database, schema);
  }

  it('refuses to prepare a database with pending migrations when not allowed to migrate', async () => {
    const dataSource = await open();
    await dataSource.initialize();
    try {
      await expect(pendingMigrations(dataSource)).resolves.toEqual([
        'CreateLockProbe1700000000001',
      ]);
      const refusal = prepareSchema(dataSource, false);
      await expect(refusal).rejects.toBeInstanceOf(MigrationsPendingError);
      await expect(prepareSchema(dataSource, false)).rejects.toThrow(/steward migrate/);
    } finally {
      await dataSource.destroy();
    }
  });

  it('applies each migration once when two processes migrate at the same moment', async () => {
    const [a, b] = [await open(), await open()];
    await Promise.all([a.initialize(), b.initialize()]);
    try {
      const results = await Promise.allSettled([applyMigrations(a), applyMigrations(b)]);
      // SQLite has no second process here: the point is the MySQL named lock.
      if (database.dialect === 'mysql') {
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
        const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
        expect(applied).toEqual(['CreateLockProbe1700000000001']);
      } else {
        expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
      }
      await expect(pendingMigrations(a)).resolves.toEqual([]);
      const rows = await a.query<{ name: string }[]>('SELECT name FROM schema_migrations');
      expect(rows.map((r) => r.name)).toEqual(['CreateLockProbe1700000000001']);
      await expect(schemaDrift(a)).resolves.toEqual([]);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });
});
