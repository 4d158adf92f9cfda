import { Injectable } from '@nestjs/common';
import { AuditAction, AuditEntryEntity, AuditLog } from '@steward/audit';
import {
  type DataSubject,
  type ErasurePlanItem,
  type ErasureResult,
  type ExportPart,
  type PersonalDataContributor,
  PersonalDataContributorProvider,
} from '@steward/privacy';

const ENTRIES = 'audit';
const NETWORK = 'audit network data';

/**
 * The audit log's part of a data subject's export and erasure. It lives in the composition
 * root because the audit lib is a platform lib and may not import the privacy feature.
 *
 * Audit entries name people only by pseudonymous ids (a user id stays valid as the erased
 * user's tombstone), so they are kept for accountability. What identifies the subject beyond
 * that, the IP addresses and user agents of the entries where they acted, is removed; the hash
 * chain does not break, because it covers those two only through a keyed digest whose key is
 * removed with them.
 */
@Injectable()
@PersonalDataContributorProvider()
export class AuditContributor implements PersonalDataContributor {
  readonly name = 'audit';
  readonly covers = [AuditEntryEntity];

  constructor(private readonly audit: AuditLog) {}

  async exportSubject(subject: DataSubject): Promise<ExportPart[]> {
    const userId = subject.userId;
    const entries = userId === undefined ? [] : await this.audit.entriesForUser(userId);
    const records = entries.map((entry) => {
      // The network data of an entry is the actor's: the subject gets theirs, not an agent's.
      const own = entry.actorType === 'user' && entry.actorId === userId;
      return {
        id: entry.id,
        occurredAt: entry.occurredAt.toISOString(),
        actorType: entry.actorType,
        actorId: entry.actorId,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId,
        ip: own ? entry.ip : null,
        userAgent: own ? entry.userAgent : null,
        details: entry.details,
      };
    });
    return [{ category: ENTRIES, schemaVersion: 1, records }];
  }

  async planErasure(subject: DataSubject): Promise<ErasurePlanItem[]> {
    const userId = subject.userId;
    return [
      {
        category: ENTRIES,
        action: 'keep',
        count: userId === undefined ? 0 : await this.audit.countForUser(userId),
        reason: 'audit entries are kept for accountability; they hold only pseudonymous ids',
      },
      {
        category: NETWORK,
        action: 'anonymise',
        count: userId === undefined ? 0 : await this.audit.countNetworkDataOfUser(userId),
        reason:
          'IP addresses and user agents of the entries where the subject acted are removed; the hash chain stays intact',
      },
    ];
  }

  async eraseSubject(subject: DataSubject): Promise<ErasureResult[]> {
    const userId = subject.userId;
    const anonymised = userId === undefined ? 0 : await this.audit.eraseNetworkDataOfUser(userId);
    if (userId !== undefined) {
      // Removing network data cannot be told from tampering by the chain alone: say it happened.
      await this.audit.record({
        actorType: 'system',
        action: AuditAction.networkDataErased,
        targetType: 'user',
        targetId: userId,
        details: { entries: anonymised },
      });
    }
    return [
      { category: ENTRIES, deleted: 0, anonymised: 0 },
      { category: NETWORK, deleted: 0, anonymised },
    ];
  }
}
