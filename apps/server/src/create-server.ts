import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Metrics, STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import type { CoreOptions } from '@steward/runtime';
import helmet from 'helmet';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { httpMetrics } from './http/metrics.middleware';
import { ServerModule } from './server.module';

/** Builds the configured HTTP application (not yet listening); used by main and by tests. */
export async function createServer(
  options: Omit<CoreOptions, 'consumeJobs'>,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ServerModule.forRoot(options), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  const config = app.get<StewardConfig>(STEWARD_CONFIG);
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(httpMetrics(app.get(Metrics)));
  app.use(helmet());
  app.useBodyParser('json', { limit: config.bodyLimitBytes });
  app.useBodyParser('urlencoded', { limit: config.bodyLimitBytes, extended: false });
  app.enableShutdownHooks();
  return app;
}
