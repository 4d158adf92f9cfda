import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@steward/audit';
import { IdentityModule } from '@steward/identity';
import { PersistenceModule } from '@steward/persistence';
import { PlatformModule, type PlatformOptions } from '@steward/platform';
import { PrivacyModule } from '@steward/privacy';
import { DurableWorkModule, QueueModule } from '@steward/queue';
import { StorageModule } from '@steward/storage';
import { TicketBulkModule, TicketsModule } from '@steward/tickets';
import { AuditContributor } from './audit.contributor';
import { stewardSchema } from './schema';

export interface CoreOptions extends PlatformOptions {
  /** Run job handlers in this process (worker, embedded server) or only produce jobs. */
  readonly consumeJobs: boolean;
}

/** Everything a Steward process has, whatever its role: platform, storage, jobs, features. */
@Module({})
export class StewardCoreModule {
  static forRoot(options: CoreOptions): DynamicModule {
    return {
      module: StewardCoreModule,
      imports: [
        PlatformModule.forRoot(options),
        PersistenceModule.forRoot(stewardSchema),
        QueueModule.forRoot({ consume: options.consumeJobs }),
        DurableWorkModule,
        StorageModule,
        AuditModule,
        PrivacyModule,
        IdentityModule,
        TicketsModule,
        TicketBulkModule,
      ],
      // The audit log's personal data contributor lives here: audit is a platform lib and may
      // not import the privacy feature.
      providers: [AuditContributor],
      exports: [PrivacyModule, IdentityModule, TicketsModule, TicketBulkModule],
    };
  }
}
