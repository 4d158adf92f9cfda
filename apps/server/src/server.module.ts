import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HealthController, StewardCoreModule, type CoreOptions } from '@steward/runtime';
import { LoggerModule } from 'nestjs-pino';
import { httpLoggingOptions } from '@steward/platform';
import { ErrorFilter } from './http/error.filter';
import { ServerLifecycle } from './server.lifecycle';

/** The HTTP server: the REST API and pages; in the embedded shape it also runs the jobs. */
@Module({})
export class ServerModule {
  static forRoot(options: Omit<CoreOptions, 'consumeJobs'>): DynamicModule {
    return {
      module: ServerModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: httpLoggingOptions(options.logger) }),
        StewardCoreModule.forRoot({ ...options, consumeJobs: options.config.shape === 'embedded' }),
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: ErrorFilter }, ServerLifecycle],
    };
  }
}
