import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { JobDefinition } from './job-definition';
import { jobHandlerRegistration } from './job-handler.decorator';
import { JobQueueError } from './job-queue';

/** Finds every `@JobHandler` method of every provider of the application, bound to its instance. */
@Injectable()
export class JobHandlerExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  explore(): JobDefinition[] {
    const definitions: JobDefinition[] = [];
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      const prototype: unknown =
        typeof instance === 'object' && instance !== null
          ? Object.getPrototypeOf(instance)
          : wrapper.metatype?.prototype;
      if (typeof prototype !== 'object' || prototype === null) continue;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const registration = jobHandlerRegistration(Reflect.get(prototype, method));
        if (!registration) continue;
        const source = `${prototype.constructor.name}.${method}`;
        if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
          throw new JobQueueError(
            `${source} handles job ${registration.name}, but its provider is not a singleton; job handlers must live in default-scoped providers`,
          );
        }
        if (typeof instance !== 'object' || instance === null || seen.has(instance)) continue;
        definitions.push(registration.define(instance, source));
      }
      if (typeof instance === 'object' && instance !== null) seen.add(instance);
    }
    return definitions;
  }
}
