import { Injectable } from '@nestjs/common';
import {
  GroupMembershipService,
  GroupService,
  PolicyService,
  type UserEntity,
} from '@steward/identity';
import { Clock, ErrorCode, optionalText, requiredLine, StewardError } from '@steward/platform';
import { TicketError } from './ticket.errors';
import { type TicketView, TicketService } from './ticket.service';
import type { TicketScope } from './ticket-scope';
import {
  checkConditions,
  checkExecution,
  compileConditions,
  type ViewFilter,
} from './view-conditions';
import { VIEW_RESTRICTIONS, type ViewEntity, type ViewRestrictionType } from './view.entity';
import { ViewRepository, type ViewRow } from './view.repository';

export const MAX_VIEW_TITLE_LENGTH = 255;
export const MAX_VIEW_DESCRIPTION_LENGTH = 1000;

/** What a client may set on a view; on update, an absent field stays as it is. */
export interface ViewInput {
  readonly title?: string;
  readonly description?: string | null;
  readonly active?: boolean;
  readonly position?: number;
  /** Null: shared with everyone; a user: personal; a group: its members'. */
  readonly restriction?: { readonly type: string; readonly id: number } | null;
  /** Zendesk's `{"all": [...], "any": [...]}`, checked by view-conditions. */
  readonly conditions?: unknown;
  readonly execution?: unknown;
}

/** A view's count: always counted now (`fresh`), never from a cache. */
export interface ViewCount {
  readonly viewId: number;
  readonly value: number;
}

export interface ViewTicketPage {
  readonly view: ViewEntity;
  readonly tickets: readonly TicketView[];
  readonly count: number;
}

/**
 * Views: saved ticket filters. Who may use a view follows its restriction; what a view shows
 * never goes past the caller's ticket scope (a view of a confidential group's tickets is empty
 * for those outside it, admins included). Shared and group views need `views.manage` to
 * change; agents (`tickets.write`) keep personal views of their own. Light agents use views.
 */
@Injectable()
export class ViewService {
  constructor(
    private readonly views: ViewRepository,
    private readonly tickets: TicketService,
    private readonly memberships: GroupMembershipService,
    private readonly groups: GroupService,
    private readonly policy: PolicyService,
    private readonly clock: Clock,
  ) {}

  /** The views the user may use (shared, their own, their groups'), by position. */
  async list(user: Readonly<UserEntity>, options: { activeOnly: boolean }): Promise<ViewEntity[]> {
    await this.tickets.scopeOf(user);
    return this.views.usable(user.id, await this.groupIdsOf(user), options);
  }

  async show(id: number, user: Readonly<UserEntity>): Promise<ViewEntity> {
    await this.tickets.scopeOf(user);
    return this.usable(id, user);
  }

  async create(input: ViewInput, user: Readonly<UserEntity>): Promise<ViewEntity> {
    await this.tickets.scopeOf(user);
    if (input.title === undefined) throw TicketError.invalid('title', 'is required');
    if (input.conditions === undefined) {
      throw TicketError.invalid('conditions', 'is required: {"all": [...], "any": [...]}');
    }
    this.mayChange(personalOrNot(input.restriction ?? null), user);
    const restriction = await this.restrictionOf(input.restriction ?? null, user);
    const now = this.clock.now();
    const row: ViewRow = {
      title: checkTitle(input.title),
      description: checkDescription(input.description ?? null),
      active: input.active ?? true,
      position: checkPosition(input.position ?? 0),
      restrictionType: restriction.type,
      restrictionId: restriction.id,
      conditions: checkConditions(input.conditions),
      execution: checkExecution(input.execution),
      defaultKey: null,
      createdAt: now,
      updatedAt: now,
    };
    return this.views.insert(row);
  }

  async update(id: number, input: ViewInput, user: Readonly<UserEntity>): Promise<ViewEntity> {
    await this.tickets.scopeOf(user);
    const view = await this.usable(id, user);
    this.mayChange(view.restrictionType, user);
    const changes: { -readonly [K in keyof ViewRow]?: ViewRow[K] } = {};
    if (input.restriction !== undefined) {
      this.mayChange(personalOrNot(input.restriction), user);
      const restriction = await this.restrictionOf(input.restriction, user);
      changes.restrictionType = restriction.type;
      changes.restrictionId = restriction.id;
    }
    if (input.title !== undefined) changes.title = checkTitle(input.title);
    if (input.description !== undefined) changes.description = checkDescription(input.description);
    if (input.active !== undefined) changes.active = input.active;
    if (input.position !== undefined) changes.position = checkPosition(input.position);
    if (input.conditions !== undefined) changes.conditions = checkConditions(input.conditions);
    if (input.execution !== undefined) changes.execution = checkExecution(input.execution);
    changes.updatedAt = this.clock.now();
    await this.views.update(view.id, changes);
    return this.usable(view.id, user);
  }

  /** Deletes a view; Steward's default views can be deactivated but not deleted. */
  async delete(id: number, user: Readonly<UserEntity>): Promise<void> {
    await this.tickets.scopeOf(user);
    const view = await this.usable(id, user);
    this.mayChange(view.restrictionType, user);
    if (view.defaultKey !== null) {
      throw TicketError.invalid('view', 'is a default view: deactivate it instead');
    }
    await this.views.delete(view.id);
  }

  /** How many tickets the view shows this user now. Callable from a benchmark. */
  async count(
    view: ViewEntity,
    user: Readonly<UserEntity>,
    known?: TicketScope,
  ): Promise<ViewCount> {
    const { filter, scope } = await this.compiled(view, user, known);
    return { viewId: view.id, value: await this.views.count(filter, scope) };
  }

  async countOf(id: number, user: Readonly<UserEntity>): Promise<ViewCount> {
    const scope = await this.tickets.scopeOf(user);
    return this.count(await this.usable(id, user), user, scope);
  }

  /** The counts of these views, in the order asked; views the user may not use are left out. */
  async countMany(ids: readonly number[], user: Readonly<UserEntity>): Promise<ViewCount[]> {
    const scope = await this.tickets.scopeOf(user);
    const usable = await this.views.usable(user.id, await this.groupIdsOf(user), {
      activeOnly: false,
    });
    const counts: ViewCount[] = [];
    for (const id of ids) {
      const view = usable.find((candidate) => candidate.id === id);
      if (view) counts.push(await this.count(view, user, scope));
    }
    return counts;
  }

  /** One page of the view's tickets, in the view's order, with the count of all of them. */
  async ticketPage(
    id: number,
    user: Readonly<UserEntity>,
    page: { offset: number; perPage: number },
  ): Promise<ViewTicketPage> {
    const scope = await this.tickets.scopeOf(user);
    const view = await this.usable(id, user);
    const { filter } = await this.compiled(view, user, scope);
    const [rows, count] = await Promise.all([
      this.views.page(filter, scope, view.execution, page.offset, page.perPage),
      this.views.count(filter, scope),
    ]);
    // The rows are the scope's already, in the view's order.
    return { view, tickets: await this.tickets.views(rows), count };
  }

  /** The database's plan for the view's count for this user (see ViewRepository). */
  async explainCount(view: ViewEntity, user: Readonly<UserEntity>): Promise<string[]> {
    const { filter, scope } = await this.compiled(view, user);
    return this.views.explainCount(filter, scope);
  }

  private async compiled(
    view: ViewEntity,
    user: Readonly<UserEntity>,
    known?: TicketScope,
  ): Promise<{ filter: ViewFilter; scope: TicketScope }> {
    const scope = known ?? (await this.tickets.scopeOf(user));
    const filter = compileConditions(view.conditions, {
      userId: user.id,
      // An agent's scope holds their groups already; those who read every group's do not.
      groupIds: scope.groupIds ?? (await this.groupIdsOf(user)),
      now: this.clock.now(),
    });
    return { filter, scope };
  }

  /** A view the user may use; any other is "not found", so its existence does not leak. */
  private async usable(id: number, user: Readonly<UserEntity>): Promise<ViewEntity> {
    const view = await this.views.findById(id);
    if (!view) throw TicketError.notFound();
    if (view.restrictionType === 'User' && view.restrictionId !== user.id) {
      throw TicketError.notFound();
    }
    if (
      view.restrictionType === 'Group' &&
      !(await this.groupIdsOf(user)).includes(view.restrictionId ?? 0)
    ) {
      throw TicketError.notFound();
    }
    return view;
  }

  private mayChange(type: ViewRestrictionType | null, user: Readonly<UserEntity>): void {
    if (this.policy.can(user, 'views.manage')) return;
    if (type === 'User' && this.policy.can(user, 'tickets.write')) return;
    throw new StewardError(
      ErrorCode.Forbidden,
      type === 'User'
        ? 'You do not have access to change views'
        : 'You may change only your personal views (restriction {"type": "User"})',
    );
  }

  /** A restriction as stored: personal views are one's own; a group view's group must exist. */
  private async restrictionOf(
    raw: { readonly type: string; readonly id: number } | null,
    user: Readonly<UserEntity>,
  ): Promise<{ type: ViewRestrictionType | null; id: number | null }> {
    if (raw === null) return { type: null, id: null };
    if (!(VIEW_RESTRICTIONS as readonly string[]).includes(raw.type)) {
      throw TicketError.invalid('restriction', 'type must be User or Group');
    }
    if (raw.type === 'User') {
      if (raw.id !== user.id)
        throw TicketError.invalid('restriction', 'a personal view is your own');
      return { type: 'User', id: raw.id };
    }
    const group = await this.groups.show(raw.id).catch(() => undefined);
    if (!group || group.deletedAt !== null) {
      throw TicketError.invalid('restriction', 'is not a group');
    }
    return { type: 'Group', id: group.id };
  }

  private async groupIdsOf(user: Readonly<UserEntity>): Promise<number[]> {
    return (await this.memberships.listOfUsers([user.id])).map((m) => m.groupId);
  }
}

/** Who may set a restriction: only personal views are open to agents without views.manage. */
function personalOrNot(raw: ViewInput['restriction']): ViewRestrictionType | null {
  return raw?.type === 'User' ? 'User' : null;
}

function checkTitle(raw: string): string {
  return requiredLine(raw, MAX_VIEW_TITLE_LENGTH, (problem) =>
    TicketError.invalid('title', problem),
  );
}

function checkDescription(raw: string | null): string | null {
  return optionalText(raw, MAX_VIEW_DESCRIPTION_LENGTH, (problem) =>
    TicketError.invalid('description', problem),
  );
}

function checkPosition(raw: number): number {
  if (Number.isSafeInteger(raw) && raw >= 0 && raw <= 1_000_000) return raw;
  throw TicketError.invalid('position', 'must be a whole number from 0 to 1000000');
}
