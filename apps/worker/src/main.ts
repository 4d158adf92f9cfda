import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { EXIT, nestLogger, prepareProcess, runMain, StartupError } from '@steward/runtime';
import { WorkerModule } from './worker.module';

runMain('steward-worker', async () => {
  const prepared = prepareProcess('steward-worker');
  const { config, logger } = prepared;
  if (config.shape !== 'production') {
    throw new StartupError(
      'the worker runs jobs from Redis; set DATABASE_URL (MySQL/MariaDB) and REDIS_URL. ' +
        'In the embedded shape the server runs jobs itself and no worker is needed.',
      EXIT.config,
    );
  }
  // Nest logs through pino from its first line, and a failed start (pending migrations, no
  // database) reaches runMain: one line on stderr and its exit code, not Nest's stack trace.
  const app = await NestFactory.create(WorkerModule.forRoot(prepared), {
    logger: nestLogger(logger),
    abortOnError: false,
  });
  // After a clean shutdown exit 0 (not 143 from re-raising the signal), with the logs flushed.
  app.enableShutdownHooks([], { useProcessExit: true });
  if (config.worker.httpPort > 0) {
    await app.listen(config.worker.httpPort, config.worker.httpHost);
  } else {
    await app.init();
  }
  logger.info(
    { healthPort: config.worker.httpPort || undefined },
    'Steward worker is running jobs',
  );
});
