import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Metrics, STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { type CoreOptions, nestLogger } from '@steward/runtime';
import helmet from 'helmet';
import { UPLOAD_PATHS, uploadBodyParser } from './attachments/upload-body';
import { httpMetrics } from './http/metrics.middleware';
import { OpenApiDocuments } from './openapi/openapi.controller';
import { ServerModule } from './server.module';

/** Builds the configured HTTP application (not yet listening); used by main and by tests. */
export async function createServer(
  options: Omit<CoreOptions, 'consumeJobs'>,
): Promise<INestApplication> {
  // Nest logs through pino from its first line, and a failed start (pending migrations, no
  // database) reaches runMain: one line on stderr and its exit code, not Nest's stack trace.
  const app = await NestFactory.create<NestExpressApplication>(ServerModule.forRoot(options), {
    logger: nestLogger(options.logger),
    abortOnError: false,
    bodyParser: false,
  });
  const config = app.get<StewardConfig>(STEWARD_CONFIG);
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(httpMetrics(app.get(Metrics)));
  app.use(helmet());
  // Uploads are raw file bytes with their own limit; read before the JSON parser sees them.
  app.use(UPLOAD_PATHS, uploadBodyParser(config.attachments.maxBytes));
  app.useBodyParser('json', { limit: config.bodyLimitBytes });
  app.useBodyParser('urlencoded', { limit: config.bodyLimitBytes, extended: false });
  // After a clean shutdown exit 0 (not 143 from re-raising the signal), with the logs flushed.
  app.enableShutdownHooks([], { useProcessExit: true });
  // GET /api/v2/openapi.json describes this application's routes.
  app.get(OpenApiDocuments).attach(app);
  return app;
}
