import { Injectable, Module, type OnModuleInit, SetMetadata } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import type { PersonalDataContributor } from './contributor';

const CONTRIBUTOR = Symbol('steward:personal-data-contributor');

/** Marks a provider as a personal data contributor; the registry collects it at boot. */
export const PersonalDataContributorProvider = (): ClassDecorator => SetMetadata(CONTRIBUTOR, true);

function isContributor(value: unknown): value is PersonalDataContributor {
  const candidate = value as Partial<PersonalDataContributor> | null;
  return (
    typeof candidate?.name === 'string' &&
    Array.isArray(candidate.covers) &&
    typeof candidate.exportSubject === 'function' &&
    typeof candidate.planErasure === 'function' &&
    typeof candidate.eraseSubject === 'function'
  );
}

/** Every personal data contributor of the running application. */
@Injectable()
export class PrivacyRegistry implements OnModuleInit {
  private found: PersonalDataContributor[] = [];

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const contributors: PersonalDataContributor[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      const type = wrapper.metatype as { name: string } | null;
      if (!instance || !type || Reflect.getMetadata(CONTRIBUTOR, type) !== true) continue;
      if (!isContributor(instance)) {
        throw new Error(
          `${type.name} is marked as a personal data contributor but does not implement it`,
        );
      }
      if (contributors.some((c) => c.name === instance.name)) {
        throw new Error(`two personal data contributors are named ${instance.name}`);
      }
      contributors.push(instance);
    }
    this.found = contributors;
  }

  contributors(): readonly PersonalDataContributor[] {
    return this.found;
  }
}

@Module({
  imports: [DiscoveryModule],
  providers: [PrivacyRegistry],
  exports: [PrivacyRegistry],
})
export class PrivacyModule {}
