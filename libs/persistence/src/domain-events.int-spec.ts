import {
  Injectable,
  type INestApplicationContext,
  type LoggerService,
  Module,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLogger, PlatformModule } from '@steward/platform';
import { createTestSetup, LogCapture, type TestSetup } from '@steward/testing';
import {
  Column,
  Entity,
  type MigrationInterface,
  PrimaryGeneratedColumn,
  type QueryRunner,
  Table,
} from 'typeorm';
import { NotPersonal } from './classification';
import { Database } from './database';
import { type DomainEvent, DomainEvents, OnDomainEvent } from './domain-events';
import { PersistenceModule } from './persistence.module';
import { PortableColumns } from './schema-types';

@Entity('event_probes')
class ProbeEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @NotPersonal()
  @Column({ type: 'varchar', length: 40 })
  label!: string;
}

class CreateEventProbes1700000000002 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const c = new PortableColumns(runner);
    await runner.createTable(
      new Table({ name: 'event_probes', columns: [c.id(), c.string('label', 40)] }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('event_probes');
  }
}

interface ProbeEvent extends DomainEvent {
  readonly type: 'probe.created' | 'probe.failed';
  readonly label: string;
}

/** Records what it heard, and whether the probe row was visible when it heard it. */
@Injectable()
class ProbeListener {
  readonly heard: Array<{ label: string; rowVisible: boolean }> = [];

  constructor(private readonly db: Database) {}

  @OnDomainEvent('probe.created')
  async created(event: ProbeEvent): Promise<void> {
    const row = await this.db.run((m) => m.findOneBy(ProbeEntity, { label: event.label }));
    this.heard.push({ label: event.label, rowVisible: row !== null });
  }

  @OnDomainEvent('probe.failed')
  failing(event: ProbeEvent): void {
    throw new Error(`listener refused ${event.label}`);
  }

  @OnDomainEvent('probe.failed')
  alsoHearsFailures(event: ProbeEvent): void {
    this.heard.push({ label: event.label, rowVisible: false });
  }
}

describe('domain events', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let db: Database;
  let events: DomainEvents;
  let listener: ProbeListener;
  const errors: string[] = [];
  const nestLogs: LoggerService = {
    log: () => undefined,
    warn: () => undefined,
    error: (message: unknown) => void errors.push(String(message)),
  };

  beforeAll(async () => {
    setup = await createTestSetup();
    @Module({
      imports: [
        PlatformModule.forRoot({
          config: setup.config,
          secrets: setup.secrets,
          logger: createLogger('warn', new LogCapture()),
        }),
        PersistenceModule.forRoot({
          entities: [ProbeEntity],
          migrations: [CreateEventProbes1700000000002],
        }),
      ],
      providers: [ProbeListener],
    })
    class ProbeModule {}
    app = await NestFactory.createApplicationContext(ProbeModule, { logger: nestLogs });
    await app.init();
    db = app.get(Database);
    events = app.get(DomainEvents);
    listener = app.get(ProbeListener);
  });

  afterEach(() => {
    listener.heard.length = 0;
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  async function create(label: string): Promise<void> {
    await db.run((m) => m.insert(ProbeEntity, { label }));
    events.publish({ type: 'probe.created', label } satisfies ProbeEvent);
  }

  it('delivers an event published in a transaction only after the commit', async () => {
    let heardBeforeCommit = -1;
    await db.transaction(async () => {
      await create('committed');
      await new Promise((resolve) => setTimeout(resolve, 20));
      heardBeforeCommit = listener.heard.length;
    });
    await events.settled();
    expect(heardBeforeCommit).toBe(0);
    expect(listener.heard).toEqual([{ label: 'committed', rowVisible: true }]);
  });

  it('delivers nothing when the transaction rolls back', async () => {
    await expect(
      db.transaction(async () => {
        await create('rolled-back');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await events.settled();
    expect(listener.heard).toEqual([]);
    await expect(db.run((m) => m.countBy(ProbeEntity, { label: 'rolled-back' }))).resolves.toBe(0);
  });

  it('holds events of a nested transaction until the outer one commits', async () => {
    let heardAfterInner = -1;
    await db.transaction(async () => {
      await db.transaction(() => create('nested'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      heardAfterInner = listener.heard.length;
    });
    await events.settled();
    expect(heardAfterInner).toBe(0);
    expect(listener.heard).toEqual([{ label: 'nested', rowVisible: true }]);
  });

  it('delivers at once outside a transaction', async () => {
    await create('plain');
    await events.settled();
    expect(listener.heard).toEqual([{ label: 'plain', rowVisible: true }]);
  });

  it('logs a failing listener without troubling the publisher or the other listeners', async () => {
    await db.transaction(async () => {
      await db.run((m) => m.insert(ProbeEntity, { label: 'boom' }));
      events.publish({ type: 'probe.failed', label: 'boom' } satisfies ProbeEvent);
    });
    await events.settled();
    expect(listener.heard).toEqual([{ label: 'boom', rowVisible: false }]);
    expect(errors).toContainEqual(
      'ProbeListener.failing failed on probe.failed: listener refused boom',
    );
  });

  it('refuses event types that are not dotted lower-case names', () => {
    expect(() => OnDomainEvent('TicketCreated')).toThrow(/dotted lower-case/);
    expect(() => OnDomainEvent()).toThrow(/at least one/);
  });
});
