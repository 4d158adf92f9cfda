import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { StewardConfig } from './config/config';
import { Clock, SystemClock } from './clock/clock';
import { Metrics } from './metrics/metrics';
import { Readiness } from './health/readiness';
import { Keyring } from './secrets/keyring';
import type { Secrets } from './secrets/secrets';

export const STEWARD_CONFIG = Symbol('STEWARD_CONFIG');
export const STEWARD_SECRETS = Symbol('STEWARD_SECRETS');
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export interface PlatformOptions {
  readonly config: StewardConfig;
  readonly secrets: Secrets;
  readonly logger: Logger;
  readonly clock?: Clock;
}

/** Configuration, secrets, keyring, clock, metrics and readiness for the whole process. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      providers: [
        { provide: STEWARD_CONFIG, useValue: options.config },
        { provide: STEWARD_SECRETS, useValue: options.secrets },
        { provide: Keyring, useValue: options.secrets.keyring },
        { provide: ROOT_LOGGER, useValue: options.logger },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        { provide: Metrics, useValue: new Metrics() },
        Readiness,
      ],
      exports: [STEWARD_CONFIG, STEWARD_SECRETS, Keyring, ROOT_LOGGER, Clock, Metrics, Readiness],
    };
  }
}
