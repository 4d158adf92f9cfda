import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { auditEntities, auditMigrations } from '@steward/audit';
import { PersistenceModule } from '@steward/persistence';
import { type Clock, createLogger, PlatformModule } from '@steward/platform';
import { PrivacyModule } from '@steward/privacy';
import { createTestSetup, LogCapture, type TestSetup } from '@steward/testing';
import { IdentityModule } from '../identity.module';
import { identityEntities, identityMigrations } from '../index';

/**
 * The identity feature on its own (with platform, persistence, audit and privacy), on the
 * database of the shape under test; one per test file. Pass a clock to move time in tests.
 */
export async function startIdentityTestApp(
  options: { clock?: Clock } = {},
): Promise<{ app: INestApplicationContext; setup: TestSetup }> {
  const setup = await createTestSetup();
  @Module({
    imports: [
      PlatformModule.forRoot({
        config: setup.config,
        secrets: setup.secrets,
        logger: createLogger('warn', new LogCapture()),
        clock: options.clock,
      }),
      PersistenceModule.forRoot({
        entities: [...identityEntities, ...auditEntities],
        migrations: [...identityMigrations, ...auditMigrations],
      }),
      PrivacyModule,
      IdentityModule,
    ],
  })
  class IdentityTestModule {}
  const app = await NestFactory.createApplicationContext(IdentityTestModule, { logger: false });
  return { app, setup };
}
