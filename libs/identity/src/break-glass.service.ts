import { Inject, Injectable } from '@nestjs/common';
import { AuditAction, AuditLog } from '@steward/audit';
import { Database } from '@steward/persistence';
import {
  Clock,
  CONTROL_CHARACTERS,
  LINE_BREAKS,
  STEWARD_CONFIG,
  type StewardConfig,
} from '@steward/platform';
import type { AuditActor } from './api-token.service';
import type { BreakGlassGrantEntity } from './break-glass-grant.entity';
import { BreakGlassGrantRepository } from './break-glass-grant.repository';
import { BreakGlassError } from './break-glass.errors';
import type { PageWindow } from './organization.service';
import { PolicyService } from './policy.service';
import type { UserEntity } from './user.entity';

export const MIN_BREAK_GLASS_REASON_LENGTH = 10;
export const MAX_BREAK_GLASS_REASON_LENGTH = 1000;
/** An administrator ended a grant before it expired (opening one is `break_glass.accessed`). */
export const BREAK_GLASS_ENDED = 'break_glass.ended';
/** Control characters (line breaks included) and the bidirectional overrides that hide text. */

/** Whom a break-glass action is for: the user, as the policy judges them. */
export type BreakGlassUser = Parameters<PolicyService['can']>[0] & Pick<UserEntity, 'id'>;

/** A grant as the API shows it: `active` while it has neither ended nor expired. */
export interface BreakGlassGrant {
  readonly id: number;
  readonly userId: number;
  readonly groupId: number;
  readonly reason: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly endedAt: Date | null;
  readonly active: boolean;
}

export interface BreakGlassGrantPage {
  readonly grants: readonly BreakGlassGrant[];
  readonly count: number;
}

export interface BreakGlassGrantQuery {
  readonly groupId?: number;
  /** Only the grants that are active now. */
  readonly activeOnly?: boolean;
}

/**
 * Break-glass access: admins are not members of confidential groups, so they see a confidential
 * group's content only through a grant they open with a reason. A grant lasts
 * STEWARD_BREAK_GLASS_TTL; opening and ending one are audited in the same transaction, and every
 * admin can list every grant, so access to confidential content is always accounted for.
 */
@Injectable()
export class BreakGlassService {
  constructor(
    private readonly grants: BreakGlassGrantRepository,
    private readonly policy: PolicyService,
    private readonly audit: AuditLog,
    private readonly db: Database,
    private readonly clock: Clock,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  /** Opens a grant for `user` to the confidential group, with the reason in the audit log. */
  async open(groupId: number, rawReason: string, user: BreakGlassUser): Promise<BreakGlassGrant> {
    this.checkAllowed(user);
    const reason = checkBreakGlassReason(rawReason);
    const grant = await this.db.transaction(async () => {
      const confidential = await this.grants.groupConfidentiality(groupId);
      if (confidential === undefined) throw BreakGlassError.invalid('group_id', 'is not a group');
      if (!confidential) {
        throw BreakGlassError.invalid(
          'group_id',
          'is not a confidential group; break-glass access is only needed for confidential groups',
        );
      }
      const now = this.clock.now();
      const created = await this.grants.insert({
        userId: user.id,
        groupId,
        reason,
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.config.breakGlassTtlMs),
        endedAt: null,
      });
      await this.audit.record({
        ...actorOf(user),
        action: AuditAction.breakGlassAccessed,
        targetType: 'group',
        targetId: groupId,
        details: {
          grantId: created.id,
          reason,
          expiresAt: created.expiresAt.toISOString(),
        },
      });
      return created;
    });
    return this.view(grant);
  }

  /** Every admin sees every grant: that is what keeps break-glass honest. */
  async list(
    user: BreakGlassUser,
    { groupId, activeOnly }: BreakGlassGrantQuery,
    { offset, perPage }: PageWindow,
  ): Promise<BreakGlassGrantPage> {
    this.checkAllowed(user);
    const [rows, count] = await this.grants.page(
      { groupId, activeAt: activeOnly === true ? this.clock.now() : undefined },
      offset,
      perPage,
    );
    return { grants: rows.map((row) => this.view(row)), count };
  }

  async show(id: number, user: BreakGlassUser): Promise<BreakGlassGrant> {
    this.checkAllowed(user);
    const grant = await this.grants.findById(id);
    if (!grant) throw BreakGlassError.notFound();
    return this.view(grant);
  }

  /**
   * Ends a grant before it expires (any admin may end any grant). Ending one that has already
   * ended or expired changes nothing and records nothing.
   */
  async end(id: number, user: BreakGlassUser): Promise<void> {
    this.checkAllowed(user);
    await this.db.transaction(async () => {
      const grant = await this.grants.findById(id);
      if (!grant) throw BreakGlassError.notFound();
      if (!(await this.grants.end(id, this.clock.now()))) return;
      await this.audit.record({
        ...actorOf(user),
        action: BREAK_GLASS_ENDED,
        targetType: 'group',
        targetId: grant.groupId,
        details: { grantId: grant.id, userId: grant.userId },
      });
    });
  }

  private checkAllowed(user: BreakGlassUser): void {
    if (!this.policy.can(user, 'groups.break_glass')) throw BreakGlassError.forbidden();
  }

  private view(row: BreakGlassGrantEntity): BreakGlassGrant {
    const now = this.clock.now().getTime();
    return {
      id: row.id,
      userId: row.userId,
      groupId: row.groupId,
      reason: row.reason,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      endedAt: row.endedAt,
      active: row.endedAt === null && row.expiresAt.getTime() > now,
    };
  }
}

function actorOf(user: BreakGlassUser): AuditActor {
  return { actorType: 'user', actorId: user.id };
}

/** The reason, trimmed: 10 to 1000 characters, without control characters. */
export function checkBreakGlassReason(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw BreakGlassError.invalid('reason', 'cannot be blank: say why you need access');
  }
  const reason = raw.trim();
  const length = [...reason].length;
  if (
    length < MIN_BREAK_GLASS_REASON_LENGTH ||
    length > MAX_BREAK_GLASS_REASON_LENGTH ||
    CONTROL_CHARACTERS.test(reason) ||
    LINE_BREAKS.test(reason)
  ) {
    throw BreakGlassError.invalid(
      'reason',
      `must be ${MIN_BREAK_GLASS_REASON_LENGTH} to ${MAX_BREAK_GLASS_REASON_LENGTH} characters on one line, without control characters`,
    );
  }
  return reason;
}
