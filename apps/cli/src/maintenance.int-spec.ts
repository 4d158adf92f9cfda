import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { UserService } from '@steward/identity';
import { DomainEvents } from '@steward/persistence';
import { createLogger } from '@steward/platform';
import { StewardCoreModule } from '@steward/runtime';
import { createTestSetup, LogCapture, type TestSetup } from '@steward/testing';
import { TicketCountEntity, TicketSearchService, TicketService } from '@steward/tickets';
import { Command } from 'commander';
import { DataSource } from 'typeorm';
import { registerSearch } from './commands/search.command';
import { registerTickets } from './commands/tickets.command';

/**
 * `steward search rebuild` and `steward tickets recount`, run in this process through commander
 * (the built program is what cli.e2e-spec.ts drives; this checks the commands against a real
 * database in both shapes).
 */
describe('steward search rebuild, steward tickets recount', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  const savedEnv = { ...process.env };
  const printed: string[] = [];

  beforeAll(async () => {
    setup = await createTestSetup();
    app = await NestFactory.createApplicationContext(
      StewardCoreModule.forRoot({
        config: setup.config,
        secrets: setup.secrets,
        logger: createLogger('warn', new LogCapture()),
        consumeJobs: false,
      }),
      { logger: false },
    );
    await app.init();
    process.env = { ...savedEnv, ...setup.env, STEWARD_LOG_LEVEL: 'warn' };
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    process.env = savedEnv;
    await app?.close();
    await setup?.cleanup();
  });

  function steward(...args: string[]): Promise<Command> {
    const program = new Command('steward').exitOverride();
    registerSearch(program);
    registerTickets(program);
    return program.parseAsync(['node', 'steward', ...args]);
  }

  it('indexes every ticket again in batches, printing progress', async () => {
    const { user } = await app
      .get(UserService)
      .createUser({ email: 'admin@example.com', role: 'admin', password: 'x'.repeat(16) });
    for (const subject of ['alpha', 'beta', 'gamma']) {
      await app
        .get(TicketService)
        .create({ subject, comment: { body: `${subject} text` } }, { user, via: 'api' });
    }
    await app.get(DomainEvents).settled();
    await app.get(DataSource).query('DELETE FROM ticket_search');
    const search = app.get(TicketSearchService);
    const window = { offset: 0, perPage: 10 };
    expect((await search.find(user, 'type:ticket text', window)).count).toBe(0);

    await steward('search', 'rebuild', '--batch-size', '2');

    expect(printed.join('')).toBe(
      'indexed 2 tickets\nindexed 3 tickets\nsearch index rebuilt: 3 tickets\n',
    );
    expect((await search.find(user, 'type:ticket text', window)).count).toBe(3);
    expect((await search.find(user, 'gamma', window)).count).toBe(1);
  });

  it.each(['0', '-1', 'ten', '5001'])('refuses --batch-size %s as a usage error', async (size) => {
    await expect(steward('search', 'rebuild', '--batch-size', size)).rejects.toMatchObject({
      name: 'StartupError',
      exitCode: 64,
    });
  });

  it('counts the tickets again for view counts', async () => {
    const counts = app.get(DataSource).getRepository(TicketCountEntity);
    const total = async () => (await counts.find()).reduce((sum, row) => sum + row.tickets, 0);
    expect(await total()).toBe(3);
    await app.get(DataSource).query('DELETE FROM ticket_counts');
    expect(await total()).toBe(0);
    printed.length = 0;

    await steward('tickets', 'recount');

    expect(printed.join('')).toBe('ticket counts recounted\n');
    expect(await total()).toBe(3);
  });
});
