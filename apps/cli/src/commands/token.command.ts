import type { Command } from 'commander';
import { NestFactory } from '@nestjs/core';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import {
  ApiTokenError,
  ApiTokenService,
  IdentityModule,
  TOKEN_CACHE_TTL_MS,
  UserService,
  type UserEntity,
} from '@steward/identity';
import { PersistenceModule } from '@steward/persistence';
import { PlatformModule, type PlatformOptions } from '@steward/platform';
import { EXIT, prepareProcess, StartupError, stewardSchema } from '@steward/runtime';
import { say } from './output';

@Module({})
class TokenCommandModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    return {
      module: TokenCommandModule,
      imports: [
        PlatformModule.forRoot(options),
        PersistenceModule.forRoot(stewardSchema),
        IdentityModule,
      ],
    };
  }
}

/** Runs `work` with the identity services; usage errors become exit 64 with one line. */
async function withIdentity(
  what: string,
  work: (app: INestApplicationContext) => Promise<void>,
): Promise<void> {
  const prepared = prepareProcess('steward', 'warn');
  // abortOnError: false lets a failed start (pending migrations, no database) reach runMain.
  const app = await NestFactory.createApplicationContext(TokenCommandModule.forRoot(prepared), {
    logger: false,
    abortOnError: false,
  });
  try {
    await work(app);
  } catch (error) {
    if (error instanceof ApiTokenError) {
      throw new StartupError(`cannot ${what}: ${error.message}`, EXIT.usage);
    }
    throw error;
  } finally {
    await app.close();
  }
}

async function userByEmail(app: INestApplicationContext, email: string): Promise<UserEntity> {
  const user = await app.get(UserService).findByEmail(email);
  if (!user) throw new StartupError(`no user with the email address ${email}`, EXIT.usage);
  return user;
}

function positiveId(value: string): number {
  if (!/^[1-9]\d{0,15}$/.test(value)) {
    throw new StartupError(
      `--id expects a token id (a positive integer), got "${value}"`,
      EXIT.usage,
    );
  }
  return Number(value);
}

function when(date: Date | null): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

export function registerToken(program: Command): void {
  const token = program
    .command('token')
    .description('manage API tokens (HTTP Basic email/token:TOKEN, or Bearer TOKEN)');

  token
    .command('create')
    .description('create an API token for a user and print it, once')
    .requiredOption('--user <email>', 'email address of the user the token acts as')
    .requiredOption('--name <name>', 'what the token is for (1 to 100 characters)')
    .action(async (options: { user: string; name: string }) => {
      await withIdentity('create the token', async (app) => {
        const user = await userByEmail(app, options.user);
        const created = await app.get(ApiTokenService).create(user.id, options.name);
        say(`created API token ${created.id} for ${user.email ?? options.user}`);
        say(`token: ${created.token}`);
        say('it is shown only now and will not be shown again; store it in a secret store');
        say(
          `use it as HTTP Basic ${user.email ?? options.user}/token:<token>, or as Bearer <token>`,
        );
      });
    });

  token
    .command('list')
    .description("list a user's API tokens (names and last 4 characters, never the tokens)")
    .requiredOption('--user <email>', 'email address of the user')
    .action(async (options: { user: string }) => {
      await withIdentity('list the tokens', async (app) => {
        const user = await userByEmail(app, options.user);
        const tokens = await app.get(ApiTokenService).list(user.id);
        if (tokens.length === 0) {
          say(`no API tokens for ${user.email ?? options.user}`);
          return;
        }
        say('id      ends   created               last used             status   name');
        for (const t of tokens) {
          say(
            [
              String(t.id).padEnd(6),
              `…${t.hint}`.padEnd(5),
              when(t.createdAt).padEnd(20),
              when(t.lastUsedAt).padEnd(20),
              (t.revokedAt ? 'revoked' : 'active').padEnd(7),
              t.name,
            ].join('  '),
          );
        }
      });
    });

  token
    .command('revoke')
    .description('revoke an API token; it stops working at once')
    .requiredOption('--id <id>', 'id of the token (see steward token list)')
    .action(async (options: { id: string }) => {
      const id = positiveId(options.id);
      await withIdentity('revoke the token', async (app) => {
        const changed = await app.get(ApiTokenService).revoke(id);
        if (!changed) {
          say(`API token ${id} was already revoked`);
          return;
        }
        say(`revoked API token ${id}`);
        say(
          `running servers refuse it within ${TOKEN_CACHE_TTL_MS / 1_000} seconds (they cache validated tokens that long)`,
        );
      });
    });
}
