import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { columnClassifications } from '@steward/persistence';
import { createLogger } from '@steward/platform';
import { PrivacyRegistry } from '@steward/privacy';
import { createTestSetup, LogCapture, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { StewardCoreModule } from './steward-core.module';

describe('privacy classification of the whole schema', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;

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
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  it('classifies every column of every entity as personal (with a kind) or not personal', () => {
    const columns = columnClassifications(app.get(DataSource).entityMetadatas);
    expect(columns.length).toBeGreaterThan(0);
    const unclassified = columns
      .filter((c) => !c.classification)
      .map((c) => `${c.table}.${c.column}`);
    expect(unclassified).toEqual([]);
  });

  it('has a personal data contributor answering for every entity that holds personal data', () => {
    const covered = new Set(
      app
        .get(PrivacyRegistry)
        .contributors()
        .flatMap((c) => c.covers),
    );
    const uncovered = columnClassifications(app.get(DataSource).entityMetadatas)
      .filter((c) => c.classification?.personal && !covered.has(c.entity))
      .map((c) => `${c.table}.${c.column}`);
    expect(uncovered).toEqual([]);
  });

  it('discovers the contributors of the features', () => {
    const names = app
      .get(PrivacyRegistry)
      .contributors()
      .map((c) => c.name);
    expect(names).toContain('identity');
  });
});
