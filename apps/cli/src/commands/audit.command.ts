import type { Command } from 'commander';
import { NestFactory } from '@nestjs/core';
import { Module, type DynamicModule } from '@nestjs/common';
import { AuditLog, AuditModule } from '@steward/audit';
import { PersistenceModule } from '@steward/persistence';
import { PlatformModule, type PlatformOptions } from '@steward/platform';
import { prepareProcess, stewardSchema } from '@steward/runtime';
import { complain, say } from './output';

@Module({})
class AuditCommandModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    return {
      module: AuditCommandModule,
      imports: [
        PlatformModule.forRoot(options),
        PersistenceModule.forRoot(stewardSchema),
        AuditModule,
      ],
    };
  }
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('inspect the audit log');
  audit
    .command('verify')
    .description(
      'check the hash chain of the audit log; exit 1 when an entry was changed, removed or inserted',
    )
    .action(async () => {
      const prepared = prepareProcess('steward', 'warn');
      // abortOnError: false lets a failed start (pending migrations, no database) reach runMain,
      // which names it and exits 78 or 1; Nest's default exits 1 without a word (logger: false).
      const app = await NestFactory.createApplicationContext(AuditCommandModule.forRoot(prepared), {
        logger: false,
        abortOnError: false,
      });
      try {
        const result = await app.get(AuditLog).verify();
        if (result.firstProblem) {
          const { id, problem } = result.firstProblem;
          complain(`audit chain broken at entry ${id}: ${problem}`);
          complain(`${result.checked} entries before it are intact`);
          process.exitCode = 1;
          return;
        }
        say(`audit chain ok: ${result.checked} entries`);
        if (result.last) say(`last entry ${result.last.id}, hash ${result.last.hash}`);
      } finally {
        await app.close();
      }
    });
}
