import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { EXIT, prepareProcess, runMain, StartupError } from '@steward/runtime';
import { Logger as PinoNestLogger } from 'nestjs-pino';
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
  const app = await NestFactory.create(WorkerModule.forRoot(prepared), { bufferLogs: true });
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
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
