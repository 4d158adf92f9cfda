import 'reflect-metadata';
import { UserService } from '@steward/identity';
import { prepareProcess, runMain } from '@steward/runtime';
import { createServer } from './create-server';

runMain('steward-server', async () => {
  const started = process.hrtime.bigint();
  const prepared = prepareProcess('steward-server');
  const { config, logger } = prepared;
  const app = await createServer(prepared);
  await app.init();

  if (config.shape === 'embedded') {
    const created = await app.get(UserService).ensureFirstAdmin();
    if (created?.oneTimePassword) {
      // Printed once, to the console only: never logged, never stored in plain text.
      process.stdout.write(
        [
          '',
          '  Steward created the first administrator account.',
          `    email:              ${created.user.email}`,
          `    one-time password:  ${created.oneTimePassword}`,
          '  It is shown only now, and must be changed at the first sign-in.',
          '',
        ].join('\n') + '\n',
      );
    }
  }
  await app.listen(config.http.port, config.http.host);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  logger.info(
    {
      shape: config.shape,
      url: `http://${config.http.host}:${config.http.port}`,
      startupMs: Math.round(ms),
    },
    'Steward is ready',
  );
});
