import type { Command } from 'commander';
import { NestFactory } from '@nestjs/core';
import { Module, type DynamicModule } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import {
  IdentityModule,
  passwordProblem,
  SYSTEM_ACTOR,
  UserAccountService,
  UserError,
  UserService,
} from '@steward/identity';
import { ErrorCode } from '@steward/platform';
import { PersistenceModule } from '@steward/persistence';
import { PlatformModule, type PlatformOptions } from '@steward/platform';
import { prepareProcess, StartupError, EXIT, stewardSchema } from '@steward/runtime';
import { readStdin, say } from './output';

@Module({})
class UserCommandModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    return {
      module: UserCommandModule,
      imports: [
        PlatformModule.forRoot(options),
        PersistenceModule.forRoot(stewardSchema),
        IdentityModule,
      ],
    };
  }
}

export function registerUser(program: Command): void {
  const user = program.command('user').description('manage user accounts');
  user
    .command('create-admin')
    .description(
      'create an administrator; prints a one-time password unless --password-stdin is given',
    )
    .requiredOption('--email <email>', 'email address of the new administrator')
    .option('--name <name>', 'display name')
    .option('--password-stdin', 'read the password from standard input (12 to 128 characters)')
    .action(async (options: { email: string; name?: string; passwordStdin?: boolean }) => {
      const password = options.passwordStdin
        ? (await readStdin()).replace(/\r?\n$/, '')
        : undefined;
      const problem = password === undefined ? undefined : passwordProblem(password);
      if (problem) {
        throw new StartupError(`cannot create the administrator: password ${problem}`, EXIT.usage);
      }
      const prepared = prepareProcess('steward', 'warn');
      // abortOnError: false lets a failed start (pending migrations, no database) reach runMain,
      // which names it and exits 78 or 1; Nest's default exits 1 without a word (logger: false).
      const app = await NestFactory.createApplicationContext(UserCommandModule.forRoot(prepared), {
        logger: false,
        abortOnError: false,
      });
      try {
        const created = await app
          .get(UserService)
          .createAdmin({ email: options.email, name: options.name, password });
        say(`created administrator ${created.user.email} (id ${created.user.id})`);
        if (created.oneTimePassword) {
          say(`one-time password: ${created.oneTimePassword}`);
          say('it is shown only now and must be changed at the first sign-in');
        }
      } catch (error) {
        if (error instanceof UserError) {
          throw new StartupError(`cannot create the administrator: ${error.message}`, EXIT.usage);
        }
        throw error;
      } finally {
        await app.close();
      }
    });
  user
    .command('reset-password')
    .description(
      'give a user a new one-time password (must be changed at sign-in) and end their sessions',
    )
    .requiredOption('--email <email>', 'email address of the user')
    .action(async (options: { email: string }) => {
      await withAccounts('reset the password', options.email, async (accounts) => {
        const reset = await accounts.resetPassword(options.email, SYSTEM_ACTOR);
        say(`reset the password of ${reset.user.email} (id ${reset.user.id})`);
        say(`one-time password: ${reset.oneTimePassword}`);
        say('it is shown only now and must be changed at the next sign-in');
        say(`sessions ended: ${reset.sessionsEnded}`);
      });
    });
  user
    .command('disable')
    .description('deactivate a user: no sign-in; their sessions end and API tokens are revoked')
    .requiredOption('--email <email>', 'email address of the user')
    .action(async (options: { email: string }) => {
      await withAccounts('disable the user', options.email, async (accounts) => {
        const disabled = await accounts.disable(options.email, SYSTEM_ACTOR);
        say(`disabled ${disabled.user.email} (id ${disabled.user.id})`);
        say(
          `sessions ended: ${disabled.sessionsEnded}, API tokens revoked: ${disabled.tokensRevoked}`,
        );
      });
    });
}

/** Runs `work` with the account service; an unknown user or a bad address exits 64. */
async function withAccounts(
  what: string,
  email: string,
  work: (accounts: UserAccountService) => Promise<void>,
): Promise<void> {
  const prepared = prepareProcess('steward', 'warn');
  const app: INestApplicationContext = await NestFactory.createApplicationContext(
    UserCommandModule.forRoot(prepared),
    { logger: false, abortOnError: false },
  );
  try {
    await work(app.get(UserAccountService));
  } catch (error) {
    if (error instanceof UserError && error.code === ErrorCode.NotFound) {
      throw new StartupError(`cannot ${what}: no user with the email address ${email}`, EXIT.usage);
    }
    if (error instanceof UserError) {
      throw new StartupError(`cannot ${what}: ${error.message}`, EXIT.usage);
    }
    throw error;
  } finally {
    await app.close();
  }
}
