import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { classificationOf, columnClassifications, NotPersonal, Personal } from './classification';

abstract class Stamped {
  @NotPersonal()
  @Column({ type: 'datetime' })
  createdAt!: Date;
}

@Entity('probe_people')
class ProbePerson extends Stamped {
  @NotPersonal()
  @PrimaryGeneratedColumn()
  id!: number;

  @Personal('contact')
  @Column({ type: 'varchar' })
  phone!: string;

  @Column({ type: 'varchar' })
  forgotten!: string;
}

describe('column classification', () => {
  it('reads a classification, including one inherited from a base class', () => {
    expect(classificationOf(ProbePerson, 'phone')).toEqual({ personal: true, kind: 'contact' });
    expect(classificationOf(ProbePerson, 'createdAt')).toEqual({
      personal: false,
      reason: undefined,
    });
    expect(classificationOf(ProbePerson, 'forgotten')).toBeUndefined();
  });

  it('finds the unclassified column among real TypeORM metadata', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-class-'));
    const dataSource = new DataSource({
      type: 'better-sqlite3',
      database: join(dir, 'x.sqlite'),
      entities: [ProbePerson],
    });
    await dataSource.initialize();
    try {
      const unclassified = columnClassifications(dataSource.entityMetadatas)
        .filter((c) => !c.classification)
        .map((c) => `${c.table}.${c.column}`);
      expect(unclassified).toEqual(['probe_people.forgotten']);
    } finally {
      await dataSource.destroy();
    }
  });
});
