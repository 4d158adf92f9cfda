import {
  Injectable,
  Module,
  type INestApplicationContext,
  type OnModuleInit,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NotPersonal, PersistenceModule, PortableColumns } from '@steward/persistence';
import { createLogger, loadTestEnvironment, PlatformModule } from '@steward/platform';
import { createTestSetup, LogCapture, type TestSetup } from '@steward/testing';
import {
  Column,
  DataSource,
  Entity,
  Index,
  type MigrationInterface,
  PrimaryGeneratedColumn,
  type QueryRunner,
  Table,
} from 'typeorm';
import { JobHandler } from '../job-handler.decorator';
import { JobQueue } from '../job-queue';
import { type IdPayload, idPayload } from '../payloads';
import { QueueModule } from '../queue.module';
import { deleteRedisKeys } from '../redis-keys';
import { DurableWork } from './durable-work';
import { DurableWorkModule } from './durable-work.module';
import { durableWorkColumns, durableWorkIndex } from './durable-work-columns';
import { DurableWorkRow } from './durable-work-row';

const UNITS = 1_000;
const GATE_AT = 300;
const JOB = 'probe.unit';

@Entity('probe_units')
@Index('ix_probe_units_work', ['workState', 'workUpdatedAt'])
class ProbeUnit extends DurableWorkRow {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;
}

/** One row per execution of a unit's work: duplicates would show as extra rows. */
@Entity('probe_effects')
class ProbeEffect {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @NotPersonal()
  @Column({ name: 'unit_id', type: 'integer' })
  unitId!: number;
}

class CreateProbeTables1700000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({
        name: 'probe_units',
        columns: [c.id(), ...durableWorkColumns(runner)],
        indices: [durableWorkIndex('probe_units')],
      }),
    );
    await runner.createTable(
      new Table({ name: 'probe_effects', columns: [c.id(), c.reference('unit_id')] }),
    );
  }

  down(): Promise<void> {
    return Promise.resolve();
  }
}

/** Holds work after GATE_AT units until the test opens the gate, so the fault lands mid-run. */
const gate = {
  started: 0,
  open: false,
  waiters: [] as (() => void)[],
  reset(): void {
    this.started = 0;
    this.open = false;
    this.waiters = [];
  },
  async pass(): Promise<void> {
    this.started++;
    if (this.open || this.started <= GATE_AT) return;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  },
  release(): void {
    this.open = true;
    for (const resolve of this.waiters.splice(0)) resolve();
  },
};

@Injectable()
class ProbeWorker implements OnModuleInit {
  /** Deliveries handled to the end (done or skipped), across restarts. */
  static handled = 0;

  constructor(private readonly work: DurableWork) {}

  onModuleInit(): void {
    this.work.register({
      entity: ProbeUnit,
      jobName: JOB,
      leaseMs: 1_500,
      staleAfterMs: 200,
      maxAttempts: 5,
    });
  }

  @JobHandler({ name: JOB, payload: idPayload, concurrency: 4, attempts: 5, backoffMs: 50 })
  async perform({ id }: IdPayload): Promise<void> {
    await this.work.run(JOB, id, async (manager) => {
      await gate.pass();
      await manager.insert(ProbeEffect, { unitId: Number(id) });
    });
    ProbeWorker.handled++;
  }
}

function appModule(setup: TestSetup, logs: LogCapture) {
  @Module({
    imports: [
      PlatformModule.forRoot({
        config: setup.config,
        secrets: setup.secrets,
        logger: createLogger('warn', logs),
      }),
      PersistenceModule.forRoot({
        entities: [ProbeUnit, ProbeEffect],
        migrations: [CreateProbeTables1700000000000],
      }),
      QueueModule.forRoot({ consume: true }),
      DurableWorkModule,
    ],
    providers: [ProbeWorker],
  })
  class ProbeAppModule {}
  return ProbeAppModule;
}

async function until(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function counts(
  dataSource: DataSource,
): Promise<{ done: number; effects: number; distinct: number }> {
  const [row] = await dataSource.query<
    { done: number | string; effects: number | string; distinct: number | string }[]
  >(
    `SELECT
       (SELECT COUNT(*) FROM probe_units WHERE work_state = 'done') AS done,
       (SELECT COUNT(*) FROM probe_effects) AS effects,
       (SELECT COUNT(DISTINCT unit_id) FROM probe_effects) AS "distinct"`,
  );
  return {
    done: Number(row?.done),
    effects: Number(row?.effects),
    distinct: Number(row?.distinct),
  };
}

describe('durable work', () => {
  let setup: TestSetup;
  const apps: INestApplicationContext[] = [];
  const logs = new LogCapture();

  beforeAll(async () => {
    setup = await createTestSetup({ STEWARD_SHUTDOWN_TIMEOUT_MS: '1000' });
  });

  afterAll(async () => {
    gate.release();
    for (const app of apps) await app.close().catch(() => undefined);
    await setup?.cleanup();
  });

  async function start(): Promise<INestApplicationContext> {
    const app = await NestFactory.createApplicationContext(appModule(setup, logs), {
      logger: false,
    });
    await app.init();
    apps.push(app);
    return app;
  }

  it(`finishes each of ${UNITS} units exactly once although the queue loses its jobs midway`, async () => {
    gate.reset();
    const first = await start();
    const dataSource = first.get(DataSource);
    const now = new Date();
    const rows = Array.from({ length: UNITS }, () => ({
      workState: 'pending' as const,
      workAttempts: 0,
      workUpdatedAt: now,
    }));
    const ids: number[] = [];
    for (let i = 0; i < rows.length; i += 200) {
      const result = await dataSource.getRepository(ProbeUnit).insert(rows.slice(i, i + 200));
      ids.push(...result.identifiers.map((r) => Number(r.id)));
    }
    await first.get(DurableWork).submit(JOB, ids);

    // Midway: GATE_AT units done, a few held in flight, the rest queued.
    await until(
      async () => (await counts(dataSource)).done >= GATE_AT && gate.waiters.length > 0,
      30_000,
      'the gate',
    );

    let current = first;
    if (loadTestEnvironment().shape === 'production') {
      expect(
        await deleteRedisKeys(setup.config.redisUrl as string, setup.config.redisPrefix),
      ).toBeGreaterThan(0);
      gate.release();
    } else {
      // Stop the in-process runner with jobs queued and in flight, and start a new one.
      await first.close();
      gate.release();
      current = await start();
    }
    const afterFault = await counts(current.get(DataSource));
    expect(afterFault.done).toBeLessThan(UNITS);

    const work = current.get(DurableWork);
    const currentSource = current.get(DataSource);
    await until(
      async () => {
        await work.sweep();
        return (await counts(currentSource)).done === UNITS;
      },
      60_000,
      'every unit to finish',
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the last runners try to commit
    expect(await counts(currentSource)).toEqual({ done: UNITS, effects: UNITS, distinct: UNITS });

    // Queues deliver at least once: a late redelivery of every unit changes nothing.
    const handledBefore = ProbeWorker.handled;
    await current.get(JobQueue).enqueueMany(
      JOB,
      ids.map((id) => ({ payload: { id }, jobId: `redelivery-${id}` })),
    );
    await until(
      () => Promise.resolve(ProbeWorker.handled - handledBefore >= UNITS),
      30_000,
      'the redeliveries',
    );
    expect(await counts(currentSource)).toEqual({ done: UNITS, effects: UNITS, distinct: UNITS });
  });
});
