import {
  type JobDefinition,
  type JobHandlerOptions,
  assertHandlerOptions,
  defineJob,
} from './job-definition';

/** What `@JobHandler` leaves on a method, for discovery to bind to an instance. */
export interface JobHandlerRegistration {
  readonly name: string;
  define(instance: object, source: string): JobDefinition;
}

const registrations = new WeakMap<object, JobHandlerRegistration>();

/**
 * Declares the method as the handler of a job, in the feature lib that owns the work:
 *
 * ```ts
 * @JobHandler({ name: 'mail.ingest', payload: idPayload, attempts: 8 })
 * async ingest({ id }: IdPayload): Promise<void> { … }
 * ```
 *
 * `QueueModule` finds every such method at boot; exactly one handler per job name. The options
 * are checked here, so a malformed name or cron pattern fails when the class is loaded.
 */
export function JobHandler<T>(options: JobHandlerOptions<T>) {
  assertHandlerOptions(options);
  return (
    _target: object,
    _key: string | symbol,
    descriptor: { readonly value?: (payload: T) => unknown },
  ): void => {
    const method = descriptor.value;
    if (typeof method !== 'function') {
      throw new TypeError(`@JobHandler(${options.name}) must decorate a method`);
    }
    registrations.set(method, {
      name: options.name,
      define: (instance, source) =>
        defineJob(options, (payload: T) => method.call(instance, payload), source),
    });
  };
}

/** The `@JobHandler` registration of a method, if it has one. */
export function jobHandlerRegistration(method: unknown): JobHandlerRegistration | undefined {
  return typeof method === 'function' ? registrations.get(method) : undefined;
}
