import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { auditEntities, auditMigrations } from '@steward/audit';
import {
  identityEntities,
  identityMigrations,
  type UserEntity,
  UserService,
} from '@steward/identity';
import { PersistenceModule } from '@steward/persistence';
import { Clock, createLogger, loadTestEnvironment, PlatformModule } from '@steward/platform';
import { PrivacyModule } from '@steward/privacy';
import { deleteRedisKeys, DurableWorkModule, QueueModule } from '@steward/queue';
import { StorageModule } from '@steward/storage';
import { createTestSetup, LogCapture, truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { ticketEntities, ticketMigrations } from './index';
import { JobStatusContributor } from './job-status.contributor';
import { JobStatusEntity } from './job-status.entity';
import { JobStatusService } from './job-status.service';
import { TicketBulkModule } from './ticket-bulk.module';
import { TicketBulkService } from './ticket-bulk.service';
import { TicketEntity } from './ticket.entity';
import { TicketsModule } from './tickets.module';

/** The system clock, moved forward by `offsetMs`. */
class MovableClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

const MINUTE = 60_000;

describe('job statuses', () => {
  let setup: TestSetup;
  const clock = new MovableClock();
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    setup = await createTestSetup();
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await setup?.cleanup();
  });

  afterEach(async () => {
    clock.offsetMs = 0;
    for (const app of apps.splice(0)) await app.close();
  });

  /** The tickets feature with its bulk work; `consume`: whether this process runs the jobs. */
  async function start(consume: boolean): Promise<INestApplicationContext> {
    @Module({
      imports: [
        PlatformModule.forRoot({
          config: setup.config,
          secrets: setup.secrets,
          logger: createLogger('warn', new LogCapture()),
          clock,
        }),
        PersistenceModule.forRoot({
          entities: [...identityEntities, ...auditEntities, ...ticketEntities],
          migrations: [...identityMigrations, ...auditMigrations, ...ticketMigrations],
        }),
        QueueModule.forRoot({ consume }),
        DurableWorkModule,
        PrivacyModule,
        StorageModule,
        TicketsModule,
        TicketBulkModule,
      ],
    })
    class JobStatusTestModule {}
    const app = await NestFactory.createApplicationContext(JobStatusTestModule, { logger: false });
    await app.init();
    apps.push(app);
    return app;
  }

  async function fresh(consume: boolean): Promise<INestApplicationContext> {
    const app = await start(consume);
    await truncateAll(app.get(DataSource));
    return app;
  }

  async function agent(
    app: INestApplicationContext,
    email = 'agent@example.com',
  ): Promise<UserEntity> {
    return (await app.get(UserService).createUser({ email, role: 'agent' })).user;
  }

  function tickets(count: number) {
    return Array.from({ length: count }, (_, i) => ({
      subject: `Bulk ${i}`,
      comment: { body: `Item ${i}` },
    }));
  }

  async function row(app: INestApplicationContext, id: number): Promise<JobStatusEntity> {
    return app.get(DataSource).getRepository(JobStatusEntity).findOneByOrFail({ id });
  }

  async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('keeps accepted work when the process dies before the job runs; the sweeper queues it again', async () => {
    const first = await fresh(false);
    const owner = await agent(first);
    const job = await first
      .get(TicketBulkService)
      .createMany(tickets(3), { user: owner, via: 'api' });
    expect(await row(first, job.id)).toMatchObject({ status: 'queued', workState: 'pending' });
    await first.close();
    apps.splice(apps.indexOf(first), 1);
    if (loadTestEnvironment().shape === 'production') {
      // The queued job is lost with Redis: only the row remains.
      await deleteRedisKeys(setup.config.redisUrl as string, setup.config.redisPrefix);
    }

    clock.offsetMs = 2 * MINUTE; // the row has waited long enough to count as lost
    const second = await start(true);
    await until(async () => (await row(second, job.id)).status === 'completed', 'the job');
    const done = await row(second, job.id);
    expect(done).toMatchObject({ progress: 3, workState: 'done', payload: null });
    expect(done.results.map((r) => [r.index, r.success])).toEqual([
      [0, true],
      [1, true],
      [2, true],
    ]);
    expect(await second.get(DataSource).getRepository(TicketEntity).count()).toBe(3);
  });

  it('does each item once: a new runner skips what a dead one finished, a live claim is left alone', async () => {
    const app = await fresh(false);
    const owner = await agent(app);
    const bulk = app.get(TicketBulkService);
    const job = await bulk.createMany(tickets(3), { user: owner, via: 'api' });
    const statuses = app.get(DataSource).getRepository(JobStatusEntity);
    // A runner created the first ticket and recorded it, then died holding the claim.
    const made = await app.get(DataSource).getRepository(TicketEntity).count();
    expect(made).toBe(0);
    await statuses.update(
      { id: job.id },
      {
        workState: 'processing',
        workClaim: 'dead-runner',
        workLeaseUntil: new Date(Date.now() + 10 * MINUTE),
        results: [{ index: 0, id: 4242, action: 'create', success: true, status: 'Created' }],
        progress: 1,
      },
    );
    // While its lease holds, a second delivery does nothing.
    await bulk.perform({ id: job.id });
    expect(await row(app, job.id)).toMatchObject({ progress: 1, workClaim: 'dead-runner' });

    clock.offsetMs = 11 * MINUTE; // the lease lapsed
    await bulk.perform({ id: job.id });
    const done = await row(app, job.id);
    expect(done).toMatchObject({ status: 'completed', progress: 3 });
    expect(done.results.map((r) => [r.index, r.id === 4242, r.success])).toEqual([
      [0, true, true],
      [1, false, true],
      [2, false, true],
    ]);
    const subjects = (await app.get(DataSource).getRepository(TicketEntity).find()).map(
      (t) => t.subject,
    );
    expect(subjects.sort()).toEqual(['Bulk 1', 'Bulk 2']);
    // A late redelivery of a finished job changes nothing.
    await bulk.perform({ id: job.id });
    expect(await app.get(DataSource).getRepository(TicketEntity).count()).toBe(2);
  });

  it('runs as the owner as they are when the job runs: without the permission every item fails', async () => {
    const app = await fresh(false);
    const owner = await agent(app);
    const bulk = app.get(TicketBulkService);
    const demoted = await bulk.createMany(tickets(2), { user: owner, via: 'api' });
    await app.get(DataSource).query("UPDATE users SET role = 'end-user' WHERE id = ?", [owner.id]);
    await bulk.perform({ id: demoted.id });
    expect((await row(app, demoted.id)).results).toEqual([
      expect.objectContaining({ index: 0, success: false, errors: 'PermissionDenied' }),
      expect.objectContaining({ index: 1, success: false, errors: 'PermissionDenied' }),
    ]);

    const other = await agent(app, 'other@example.com');
    const suspended = await bulk.createMany(tickets(1), { user: other, via: 'api' });
    await app.get(DataSource).query('UPDATE users SET active = ? WHERE id = ?', [false, other.id]);
    await bulk.perform({ id: suspended.id });
    expect(await row(app, suspended.id)).toMatchObject({
      status: 'completed',
      results: [expect.objectContaining({ index: 0, success: false, errors: 'PermissionDenied' })],
    });
    expect(await app.get(DataSource).getRepository(TicketEntity).count()).toBe(0);
  });

  it('deletes job statuses past their expiry', async () => {
    const app = await fresh(false);
    const owner = await agent(app);
    const bulk = app.get(TicketBulkService);
    const old = await bulk.createMany(tickets(1), { user: owner, via: 'api' });
    clock.offsetMs = 6 * 24 * 60 * MINUTE;
    const recent = await bulk.createMany(tickets(1), { user: owner, via: 'api' });
    clock.offsetMs = 7 * 24 * 60 * MINUTE + MINUTE;
    expect(await app.get(JobStatusService).expire()).toBe(1);
    const left = await app.get(DataSource).getRepository(JobStatusEntity).find();
    expect(left.map((job) => job.id)).toEqual([recent.id]);
    expect(left.map((job) => job.id)).not.toContain(old.id);
  });

  it("exports a subject's job statuses and deletes them on erasure", async () => {
    const app = await fresh(false);
    const owner = await agent(app);
    const other = await agent(app, 'other@example.com');
    const bulk = app.get(TicketBulkService);
    const mine = await bulk.createMany(
      [{ subject: 'About Ann', comment: { body: 'Ann is unwell' } }],
      { user: owner, via: 'api' },
    );
    const theirs = await bulk.createMany(tickets(1), { user: other, via: 'api' });
    const contributor = app.get(JobStatusContributor);
    const subject = { userId: String(owner.id), emails: ['agent@example.com'] };
    const [part] = await contributor.exportSubject(subject);
    expect(part.records).toEqual([
      expect.objectContaining({
        id: mine.token,
        jobType: 'tickets.create_many',
        pendingItems: expect.objectContaining({
          tickets: [expect.objectContaining({ subject: 'About Ann' })],
        }) as unknown,
      }),
    ]);
    expect(await contributor.planErasure(subject)).toEqual([
      { category: 'job_statuses', action: 'delete', count: 1 },
    ]);
    expect(await contributor.eraseSubject(subject)).toEqual([
      { category: 'job_statuses', deleted: 1, anonymised: 0 },
    ]);
    const left = await app.get(DataSource).getRepository(JobStatusEntity).find();
    expect(left.map((job) => job.id)).toEqual([theirs.id]);
  });
});
