import type { Command } from 'commander';
import { NestFactory } from '@nestjs/core';
import { prepareProcess, StewardCoreModule } from '@steward/runtime';
import { TicketCounts } from '@steward/tickets';
import { say } from './output';

export function registerTickets(program: Command): void {
  const tickets = program.command('tickets').description('maintain ticket data');
  tickets
    .command('recount')
    .description(
      'count the tickets of every status, group and assignee again, for view counts (after ' +
        'a restore or a bulk load that bypassed Steward); ticket changes wait while it runs',
    )
    .action(async () => {
      const prepared = prepareProcess('steward', 'warn');
      const app = await NestFactory.createApplicationContext(
        StewardCoreModule.forRoot({ ...prepared, consumeJobs: false }),
        { logger: false, abortOnError: false },
      );
      try {
        await app.get(TicketCounts).recount();
        say('ticket counts recounted');
      } finally {
        await app.close();
      }
    });
}
