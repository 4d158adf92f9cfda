import type { Command } from 'commander';
import { NestFactory } from '@nestjs/core';
import { EXIT, prepareProcess, StartupError, StewardCoreModule } from '@steward/runtime';
import { TicketSearchService } from '@steward/tickets';
import { say } from './output';

const DEFAULT_BATCH = 500;
const MAX_BATCH = 5000;

export function registerSearch(program: Command): void {
  const search = program.command('search').description('manage the search index');
  search
    .command('rebuild')
    .description(
      'rebuild the ticket search index from the tickets (after an upgrade that adds it, ' +
        'or a restore); searches miss tickets not indexed yet while it runs',
    )
    .option('--batch-size <n>', `tickets per batch (1 to ${MAX_BATCH})`, String(DEFAULT_BATCH))
    .action(async (options: { batchSize: string }) => {
      const batchSize = Number(options.batchSize);
      if (!/^\d+$/.test(options.batchSize) || batchSize < 1 || batchSize > MAX_BATCH) {
        throw new StartupError(
          `--batch-size must be a whole number from 1 to ${MAX_BATCH}`,
          EXIT.usage,
        );
      }
      const prepared = prepareProcess('steward', 'warn');
      // The whole core, as the worker has it, so the tickets feature finds every port it uses;
      // no jobs are consumed here. abortOnError: false lets a failed start reach runMain.
      const app = await NestFactory.createApplicationContext(
        StewardCoreModule.forRoot({ ...prepared, consumeJobs: false }),
        { logger: false, abortOnError: false },
      );
      try {
        const total = await app
          .get(TicketSearchService)
          .rebuild(batchSize, (done) => say(`indexed ${done} tickets`));
        say(`search index rebuilt: ${total} tickets`);
      } finally {
        await app.close();
      }
    });
}
