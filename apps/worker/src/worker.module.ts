import { type DynamicModule, Module } from '@nestjs/common';
import { httpLoggingOptions } from '@steward/platform';
import { HealthController, StewardCoreModule, type CoreOptions } from '@steward/runtime';
import { LoggerModule } from 'nestjs-pino';

/** The worker: runs job handlers from Redis/BullMQ; HTTP only for health and metrics. */
@Module({})
export class WorkerModule {
  static forRoot(options: Omit<CoreOptions, 'consumeJobs'>): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: httpLoggingOptions(options.logger) }),
        StewardCoreModule.forRoot({ ...options, consumeJobs: true }),
      ],
      controllers: [HealthController],
    };
  }
}
