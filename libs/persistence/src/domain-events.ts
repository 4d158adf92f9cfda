import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { errorMessage } from '@steward/platform';
import { Database } from './database';

/**
 * Something that happened in a feature, named in the past tense (`ticket.created`,
 * `comment.added`). Events carry ids and changed field names, never personal data: listeners
 * read what they need, which also means they see it as it is now, not as it was.
 */
export interface DomainEvent {
  readonly type: string;
}

type Listener = (event: DomainEvent) => unknown;

const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const listeners = new WeakMap<object, readonly string[]>();

/**
 * Declares the method a listener of these event types, in the feature that reacts:
 *
 * ```ts
 * @OnDomainEvent('ticket.created', 'ticket.updated')
 * async index(event: TicketEvent): Promise<void> { … }
 * ```
 *
 * Listeners run after the publishing transaction committed, each on its own; a listener's
 * failure is logged and does not reach the publisher or other listeners. Work that must not be
 * lost when the process dies is submitted as durable work from the listener, not done in it.
 */
export function OnDomainEvent(...types: string[]) {
  for (const type of types) {
    if (!EVENT_TYPE.test(type)) {
      throw new TypeError(`@OnDomainEvent: "${type}" is not a dotted lower-case event type`);
    }
  }
  if (types.length === 0) throw new TypeError('@OnDomainEvent needs at least one event type');
  return (_target: object, _key: string | symbol, descriptor: PropertyDescriptor): void => {
    const method: unknown = descriptor.value;
    if (typeof method !== 'function') {
      throw new TypeError(`@OnDomainEvent(${types.join(', ')}) must decorate a method`);
    }
    listeners.set(method, types);
  };
}

/** Publishes domain events to the `@OnDomainEvent` listeners of the application. */
@Injectable()
export class DomainEvents implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DomainEvents');
  private readonly byType = new Map<string, Array<{ source: string; listener: Listener }>>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onApplicationBootstrap(): void {
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (typeof instance !== 'object' || instance === null || seen.has(instance)) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method: unknown = Reflect.get(prototype, name);
        const types = typeof method === 'function' ? listeners.get(method) : undefined;
        if (!types || typeof method !== 'function') continue;
        const source = `${prototype.constructor.name}.${name}`;
        const listener: Listener = (event) => method.call(instance, event) as unknown;
        for (const type of types) this.subscribe(type, listener, source);
      }
    }
  }

  /** Adds a listener by hand (for code that is not a provider). */
  subscribe(type: string, listener: Listener, source = 'listener'): void {
    const list = this.byType.get(type) ?? [];
    list.push({ source, listener });
    this.byType.set(type, list);
  }

  /**
   * Delivers the event once the current transaction commits (at once outside a transaction);
   * a rolled-back change publishes nothing.
   */
  publish<E extends DomainEvent>(event: E): void {
    this.db.afterCommit(() => this.dispatch(event));
  }

  /** Resolves when every listener started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.settled();
  }

  private dispatch(event: DomainEvent): void {
    for (const { source, listener } of this.byType.get(event.type) ?? []) {
      const run = (async () => {
        try {
          await listener(event);
        } catch (error) {
          this.logger.error(`${source} failed on ${event.type}: ${errorMessage(error)}`);
        }
      })();
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }
  }
}
