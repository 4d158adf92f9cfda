import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditLog, AuditModule } from '@steward/audit';
import { PersistenceModule } from '@steward/persistence';
import { createLogger, PlatformModule } from '@steward/platform';
import { stewardSchema } from '@steward/runtime';
import {
  createTestSetup,
  expectExitCode,
  LogCapture,
  ProcessTracker,
  STACK_TRACE_LINE,
  type CompletedProcess,
  type TestSetup,
} from '@steward/testing';
import { DataSource } from 'typeorm';

/** Child processes get PATH and nothing else from the test runner's environment. */
const PATH = process.env.PATH ?? '';

describe('steward audit verify', () => {
  const processes = new ProcessTracker();
  let setup: TestSetup;
  let env: Record<string, string>;
  /** The same database, opened by the test to write entries and to tamper with them. */
  let app: INestApplicationContext | undefined;

  function steward(args: string[]): Promise<CompletedProcess> {
    return processes.run('cli', { args, env });
  }

  function dataSource(): DataSource {
    return (app as INestApplicationContext).get(DataSource);
  }

  beforeAll(async () => {
    setup = await createTestSetup();
    env = { ...setup.env, PATH };
    expectExitCode(await steward(['migrate']), 0);
  });

  afterAll(async () => {
    await processes.stopAll();
    await app?.close();
    await setup?.cleanup();
  });

  it('exits 0 and says so on an empty audit log', async () => {
    const result = await steward(['audit', 'verify']);
    expectExitCode(result, 0);
    expect(result.stdout).toBe('audit chain ok: 0 entries\n');
  });

  describe('with entries', () => {
    beforeAll(async () => {
      @Module({
        imports: [
          PlatformModule.forRoot({
            config: setup.config,
            secrets: setup.secrets,
            logger: createLogger('warn', new LogCapture()),
          }),
          PersistenceModule.forRoot(stewardSchema),
          AuditModule,
        ],
      })
      class WriterModule {}
      app = await NestFactory.createApplicationContext(WriterModule, { logger: false });
      const audit = app.get(AuditLog);
      await audit.record({ actorType: 'user', actorId: 1, action: 'auth.sign_in.succeeded' });
      await audit.record({
        actorType: 'user',
        actorId: 1,
        action: 'role.changed',
        targetType: 'user',
        targetId: 2,
        details: { from: 'agent', to: 'admin' },
      });
      await audit.record({ actorType: 'system', action: 'keys.rotated' });
    });

    it('exits 0 on an intact chain, counting the entries and naming the last hash', async () => {
      const result = await steward(['audit', 'verify']);
      expectExitCode(result, 0);
      expect(result.stdout).toMatch(
        /^audit chain ok: 3 entries\nlast entry 3, hash [0-9a-f]{64}\n$/,
      );
    });

    it('exits 1 naming the entry whose details were edited, without a stack trace', async () => {
      await dataSource().query(
        'UPDATE audit_entries SET details = \'{"from":"agent","to":"agent"}\' WHERE id = 2',
      );
      try {
        const result = await steward(['audit', 'verify']);
        expectExitCode(result, 1);
        expect(result.stderr).toMatch(/^audit chain broken at entry 2: hash mismatch$/m);
        expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
        expect(result.stdout).toBe('');
      } finally {
        await dataSource().query(
          'UPDATE audit_entries SET details = \'{"from":"agent","to":"admin"}\' WHERE id = 2',
        );
      }
      expectExitCode(await steward(['audit', 'verify']), 0);
    });

    it('exits 1 naming the last entry when it was deleted', async () => {
      await dataSource().query('DELETE FROM audit_entries WHERE id = 3');
      const result = await steward(['audit', 'verify']);
      expectExitCode(result, 1);
      expect(result.stderr).toMatch(/^audit chain broken at entry 3: missing entries$/m);
    });
  });
});
