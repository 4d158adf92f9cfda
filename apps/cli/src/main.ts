import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { runMain } from '@steward/runtime';
import { registerAudit } from './commands/audit.command';
import { registerDoctor } from './commands/doctor.command';
import { registerKeys } from './commands/keys.command';
import { registerMigrate } from './commands/migrate.command';
import { registerSearch } from './commands/search.command';
import { registerTickets } from './commands/tickets.command';
import { registerToken } from './commands/token.command';
import { registerUser } from './commands/user.command';

runMain('steward', async () => {
  const program = new Command('steward')
    .description('Administer a Steward help desk installation')
    .showHelpAfterError()
    .exitOverride();
  registerMigrate(program);
  registerDoctor(program);
  registerUser(program);
  registerKeys(program);
  registerToken(program);
  registerAudit(program);
  registerSearch(program);
  registerTickets(program);
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 64);
    throw error;
  }
});
