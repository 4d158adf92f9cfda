import type { Command } from 'commander';
import { loadConfig } from '@steward/platform';
import {
  applyMigrations,
  createDataSource,
  pendingMigrations,
  schemaDrift,
} from '@steward/persistence';
import { stewardSchema } from '@steward/runtime';
import { complain, say } from './output';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (under a lock; safe while servers start)')
    .option('--status', 'only list pending migrations; exit 1 when there are any')
    .option(
      '--check-drift',
      'after migrating, fail when the entities differ from the migrated schema',
    )
    .action(async (options: { status?: boolean; checkDrift?: boolean }) => {
      const config = loadConfig();
      const dataSource = await createDataSource(config.database, stewardSchema);
      await dataSource.initialize();
      try {
        if (options.status) {
          const pending = await pendingMigrations(dataSource);
          say(
            pending.length === 0 ? 'no pending migrations' : `pending:\n  ${pending.join('\n  ')}`,
          );
          if (pending.length > 0) process.exitCode = 1;
          return;
        }
        const applied = await applyMigrations(dataSource);
        say(
          applied.length === 0 ? 'database is up to date' : `applied:\n  ${applied.join('\n  ')}`,
        );
        if (options.checkDrift) {
          const drift = await schemaDrift(dataSource);
          if (drift.length > 0) {
            complain(
              `entities and migrations differ (${dataSource.options.type}); a migration is missing for:`,
            );
            for (const sql of drift) complain(`  ${sql}`);
            process.exitCode = 1;
          } else {
            say(`no drift between entities and migrations (${dataSource.options.type})`);
          }
        }
      } finally {
        await dataSource.destroy();
      }
    });
}
