import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Column, DataSource, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { uniqueViolation } from './unique-violation';

@Entity('probe_names')
class ProbeName {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('uq_probe_names_name', { unique: true })
  @Column({ type: 'varchar' })
  name!: string;
}

describe('uniqueViolation', () => {
  it('recognises a real SQLite unique violation and names the column', async () => {
    const dataSource = new DataSource({
      type: 'better-sqlite3',
      database: join(mkdtempSync(join(tmpdir(), 'steward-uq-')), 'x.sqlite'),
      entities: [ProbeName],
      synchronize: true,
    });
    await dataSource.initialize();
    try {
      await dataSource.getRepository(ProbeName).insert({ name: 'IT' });
      const error: unknown = await dataSource
        .getRepository(ProbeName)
        .insert({ name: 'IT' })
        .catch((e: unknown) => e);
      expect(uniqueViolation(error)).toBe('probe_names.name');
    } finally {
      await dataSource.destroy();
    }
  });

  it('recognises the MySQL form and names the index', () => {
    const error = Object.assign(new Error("Duplicate entry 'it' for key 'uq_groups_name'"), {
      code: 'ER_DUP_ENTRY',
      errno: 1062,
    });
    expect(uniqueViolation({ driverError: error })).toBe('uq_groups_name');
  });

  it('leaves other errors alone', () => {
    expect(uniqueViolation(new Error('connection lost'))).toBeUndefined();
    expect(uniqueViolation(undefined)).toBeUndefined();
  });
});
