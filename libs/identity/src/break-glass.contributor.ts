import { Injectable } from '@nestjs/common';
import {
  type DataSubject,
  type ErasurePlanItem,
  type ErasureResult,
  type ExportPart,
  type PersonalDataContributor,
  PersonalDataContributorProvider,
  type Tombstone,
} from '@steward/privacy';
import { BreakGlassGrantEntity } from './break-glass-grant.entity';
import { BreakGlassGrantRepository } from './break-glass-grant.repository';
import { UserIdentityRepository } from './user-identity.repository';
import { UserRepository } from './user.repository';
import { normaliseEmail } from './user.service';

const HELD = 'break_glass_grants';
const MENTIONS = 'break_glass_reason_mentions';

/** The subject's email addresses, lower case, each once. */
function addressesOf(subject: DataSubject): string[] {
  return [...new Set(subject.emails.map((email) => email.trim().toLowerCase()))].filter(
    (email) => email.length > 0,
  );
}

function replaceAll(text: string, terms: readonly string[], label: string): string {
  return terms.reduce(
    (out, term) =>
      out.replace(new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), label),
    text,
  );
}

/**
 * Break-glass grants are the record of who opened confidential content, so an erasure keeps
 * them: the holder's `user_id` then points at the erased user's pseudonymous tombstone, as the
 * audit log's actor ids do. Reasons are free text an admin may have written a person's address
 * into: those mentions are exported and, on erasure, replaced by the tombstone.
 */
@Injectable()
@PersonalDataContributorProvider()
export class BreakGlassContributor implements PersonalDataContributor {
  readonly name = 'break_glass';
  readonly covers = [BreakGlassGrantEntity];

  constructor(
    private readonly grants: BreakGlassGrantRepository,
    private readonly users: UserRepository,
    private readonly identities: UserIdentityRepository,
  ) {}

  async exportSubject(subject: DataSubject): Promise<ExportPart[]> {
    const held = (await this.grants.listOfUsers(await this.findUserIds(subject))).map((g) => ({
      id: g.id,
      userId: g.userId,
      groupId: g.groupId,
      groupName: g.group?.name ?? null,
      reason: g.reason,
      createdAt: g.createdAt.toISOString(),
      expiresAt: g.expiresAt.toISOString(),
      endedAt: g.endedAt?.toISOString() ?? null,
    }));
    const mentions = (await this.grants.findMentioning(addressesOf(subject))).map((g) => ({
      id: g.id,
      groupId: g.groupId,
      reason: g.reason,
      createdAt: g.createdAt.toISOString(),
    }));
    return [
      { category: HELD, schemaVersion: 1, records: held },
      { category: MENTIONS, schemaVersion: 1, records: mentions },
    ];
  }

  async planErasure(subject: DataSubject): Promise<ErasurePlanItem[]> {
    const held = await this.grants.listOfUsers(await this.findUserIds(subject));
    const mentions = await this.grants.findMentioning(addressesOf(subject));
    return [
      {
        category: HELD,
        action: 'keep',
        count: held.length,
        reason:
          'the record of access to confidential content; it then names only the pseudonymous tombstone user',
      },
      {
        category: MENTIONS,
        action: 'anonymise',
        count: mentions.length,
        reason: "the subject's email addresses in reasons are replaced by the tombstone",
      },
    ];
  }

  async eraseSubject(subject: DataSubject, tombstone: Tombstone): Promise<ErasureResult[]> {
    const terms = addressesOf(subject);
    const mentions = await this.grants.findMentioning(terms);
    for (const grant of mentions) {
      await this.grants.updateReason(grant.id, replaceAll(grant.reason, terms, tombstone.label));
    }
    return [
      { category: HELD, deleted: 0, anonymised: 0 },
      { category: MENTIONS, deleted: 0, anonymised: mentions.length },
    ];
  }

  /** The subject's accounts: by user id, by primary email, and by any other email identity. */
  private async findUserIds(subject: DataSubject): Promise<number[]> {
    const found = new Set<number>();
    if (subject.userId !== undefined) {
      const user = await this.users.findById(Number(subject.userId));
      if (user) found.add(user.id);
    }
    for (const email of subject.emails) {
      const user = await this.users.findByEmail(normaliseEmail(email));
      if (user) found.add(user.id);
      const identity = await this.identities.findByValue('email', normaliseEmail(email));
      if (identity) found.add(identity.userId);
    }
    return [...found];
  }
}
