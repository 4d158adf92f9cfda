import {
  type DynamicModule,
  Global,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Readiness, STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { DataSource } from 'typeorm';
import { createDataSource, type SchemaParts } from './data-source';
import { Database } from './database';
import { DomainEvents } from './domain-events';
import { MigrationsPendingError, pendingMigrations, prepareSchema } from './migrations';

const CONNECT_ATTEMPTS = 5;
const CONNECT_RETRY_MS = 2_000;

/** Connects (retrying while the database is still starting) and prepares the schema. */
export async function openDatabase(
  config: StewardConfig,
  schema: SchemaParts,
  logger = new Logger('Database'),
): Promise<DataSource> {
  let dataSource: DataSource;
  for (let attempt = 1; ; attempt++) {
    try {
      dataSource = await createDataSource(config.database, schema);
      await dataSource.initialize();
      break;
    } catch (error) {
      if (attempt >= CONNECT_ATTEMPTS) throw error;
      logger.warn(
        `database not reachable (${(error as Error).message}); retrying (${attempt}/${CONNECT_ATTEMPTS})`,
      );
      await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
    }
  }
  try {
    const applied = await prepareSchema(dataSource, config.migrateOnBoot);
    if (applied.length > 0)
      logger.log(`applied ${applied.length} migration(s): ${applied.join(', ')}`);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

@Injectable()
class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly database: Database,
    private readonly readiness: Readiness,
  ) {}

  onModuleInit(): void {
    this.readiness.register('database', async () => {
      if (!this.dataSource.isInitialized) throw new Error('the database connection is closed');
      await this.database.run((manager) => manager.query('SELECT 1'));
    });
    this.readiness.register('migrations', async () => {
      const pending = await this.database.run(() => pendingMigrations(this.dataSource));
      if (pending.length > 0) throw new MigrationsPendingError(pending);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** The TypeORM DataSource of the configured dialect, migrated (or checked) before use. */
@Global()
@Module({})
export class PersistenceModule {
  static forRoot(schema: SchemaParts): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [DiscoveryModule],
      providers: [
        {
          provide: DataSource,
          inject: [STEWARD_CONFIG],
          useFactory: (config: StewardConfig) => openDatabase(config, schema),
        },
        {
          provide: Database,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new Database(dataSource),
        },
        DatabaseLifecycle,
        DomainEvents,
      ],
      exports: [DataSource, Database, DomainEvents],
    };
  }
}
