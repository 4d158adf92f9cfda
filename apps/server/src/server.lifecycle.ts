import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { Readiness } from '@steward/platform';

/** On shutdown, report not-ready first so the proxy stops sending before we drain. */
@Injectable()
export class ServerLifecycle implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Server');

  constructor(private readonly readiness: Readiness) {}

  beforeApplicationShutdown(signal?: string): void {
    this.readiness.beginShutdown();
    this.logger.log(`shutting down${signal ? ` on ${signal}` : ''}: draining requests and jobs`);
  }
}
