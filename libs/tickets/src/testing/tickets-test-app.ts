import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { auditEntities, auditMigrations } from '@steward/audit';
import { identityEntities, identityMigrations } from '@steward/identity';
import { PersistenceModule } from '@steward/persistence';
import { type Clock, createLogger, PlatformModule } from '@steward/platform';
import { PrivacyModule } from '@steward/privacy';
import { StorageModule } from '@steward/storage';
import { createTestSetup, LogCapture, type TestSetup } from '@steward/testing';
import { ticketEntities, ticketMigrations } from '../index';
import { TicketsModule } from '../tickets.module';

/**
 * The tickets feature with identity, audit, privacy and the blob store (attachments), on the
 * database and storage directory under test.
 */
export async function startTicketsTestApp(
  options: { clock?: Clock; env?: Record<string, string> } = {},
): Promise<{ app: INestApplicationContext; setup: TestSetup }> {
  const setup = await createTestSetup(options.env);
  @Module({
    imports: [
      PlatformModule.forRoot({
        config: setup.config,
        secrets: setup.secrets,
        logger: createLogger('warn', new LogCapture()),
        clock: options.clock,
      }),
      PersistenceModule.forRoot({
        entities: [...identityEntities, ...auditEntities, ...ticketEntities],
        migrations: [...identityMigrations, ...auditMigrations, ...ticketMigrations],
      }),
      PrivacyModule,
      StorageModule,
      TicketsModule,
    ],
  })
  class TicketsTestModule {}
  const app = await NestFactory.createApplicationContext(TicketsTestModule, { logger: false });
  await app.init();
  return { app, setup };
}
