import { Injectable } from '@nestjs/common';
import { Clock } from '@steward/platform';
import {
  type DataSubject,
  type ErasurePlanItem,
  type ErasureResult,
  type ExportPart,
  type PersonalDataContributor,
  PersonalDataContributorProvider,
  type Tombstone,
} from '@steward/privacy';
import { OrganizationEntity } from './organization.entity';
import { OrganizationRepository } from './organization.repository';

const MENTIONS = 'organization_notes';

/** The subject's email addresses, lower case, each once. */
function addressesOf(subject: DataSubject): string[] {
  return [...new Set(subject.emails.map((email) => email.trim().toLowerCase()))].filter(
    (email) => email.length > 0,
  );
}

function replaceAll(text: string | null, terms: readonly string[], label: string): string | null {
  if (text === null) return null;
  return terms.reduce(
    (out, term) =>
      out.replace(new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), label),
    text,
  );
}

/**
 * Organizations hold free text (details, notes) an agent may have written a person's address
 * into: those mentions are exported with the subject's data and replaced by the tombstone on
 * erasure. Names are not searched: a first name matches far more than the subject.
 */
@Injectable()
@PersonalDataContributorProvider()
export class OrganizationContributor implements PersonalDataContributor {
  readonly name = 'organizations';
  readonly covers = [OrganizationEntity];

  constructor(
    private readonly organizations: OrganizationRepository,
    private readonly clock: Clock,
  ) {}

  async exportSubject(subject: DataSubject): Promise<ExportPart[]> {
    const found = await this.organizations.findMentioning(addressesOf(subject));
    const records = found.map((o) => ({
      organizationId: o.id,
      organizationName: o.name,
      details: o.details,
      notes: o.notes,
    }));
    return [{ category: MENTIONS, schemaVersion: 1, records }];
  }

  async planErasure(subject: DataSubject): Promise<ErasurePlanItem[]> {
    const found = await this.organizations.findMentioning(addressesOf(subject));
    return [
      {
        category: MENTIONS,
        action: 'anonymise',
        count: found.length,
        reason: "the subject's email addresses in details and notes are replaced by the tombstone",
      },
    ];
  }

  async eraseSubject(subject: DataSubject, tombstone: Tombstone): Promise<ErasureResult[]> {
    const terms = addressesOf(subject);
    const found = await this.organizations.findMentioning(terms);
    for (const o of found) {
      await this.organizations.update(o.id, {
        details: replaceAll(o.details, terms, tombstone.label),
        notes: replaceAll(o.notes, terms, tombstone.label),
        updatedAt: this.clock.now(),
      });
    }
    return [{ category: MENTIONS, deleted: 0, anonymised: found.length }];
  }
}
