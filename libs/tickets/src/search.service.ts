import { Injectable } from '@nestjs/common';
import { PolicyService, UserAccountService, type UserEntity, UserService } from '@steward/identity';
import { OnDomainEvent } from '@steward/persistence';
import { Clock, ErrorCode, StewardError } from '@steward/platform';
import { TicketSearchIndex } from './search-index';
import {
  invalidQuery,
  parseSearchQuery,
  type SearchFilter,
  type SearchQuery,
  type TicketSearchField,
} from './search-query';
import { type SearchColumn, type SearchCriterion, SearchRepository } from './search.repository';
import { searchTokens } from './search-text';
import { TICKET_PRIORITIES, TICKET_STATUSES } from './ticket.entity';
import type { TicketDomainEvent } from './ticket.events';
import type { TicketSort } from './ticket.repository';
import { TicketService, type TicketView } from './ticket.service';

/** Zendesk returns at most 1,000 results of a query, 100 a page. */
export const MAX_SEARCH_RESULTS = 1000;

/** One hit: a ticket, or (for staff who may read users) a user. */
export type SearchResult =
  | { readonly type: 'ticket'; readonly ticket: TicketView }
  | { readonly type: 'user'; readonly user: UserEntity };

export interface SearchPage {
  readonly results: readonly SearchResult[];
  readonly count: number;
}

export interface SearchOptions {
  readonly offset: number;
  readonly perPage: number;
  readonly sortBy?: TicketSort;
  readonly descending?: boolean;
}

const BY_ID: Readonly<Record<string, SearchColumn>> = {
  assignee: 'assignee_id',
  requester: 'requester_id',
  submitter: 'submitter_id',
};
/** Properties where `a:x a:y` means either value; for the others each filter must hold. */
const ANY_OF: ReadonlySet<TicketSearchField> = new Set([
  'status',
  'priority',
  'ticket_type',
  'assignee',
  'requester',
  'submitter',
  'group',
  'organization',
  'tags',
]);
const DATE_COLUMNS = { created: 'created_at', updated: 'updated_at', solved: 'solved_at' } as const;

/**
 * Search (Zendesk's `/api/v2/search`): tickets by their text and properties, always inside the
 * caller's ticket scope, and users (by email or name) for staff who may read users. Keeps the
 * full-text index in step with tickets by listening to their domain events.
 */
@Injectable()
export class TicketSearchService {
  private batch?: { readonly ids: Set<number>; readonly done: Promise<void> };

  constructor(
    private readonly tickets: TicketService,
    private readonly search: SearchRepository,
    private readonly index: TicketSearchIndex,
    private readonly users: UserService,
    private readonly accounts: UserAccountService,
    private readonly policy: PolicyService,
    private readonly clock: Clock,
  ) {}

  /** One page of results: tickets first (in the requested order), then users. */
  async find(
    user: Readonly<UserEntity>,
    text: unknown,
    options: SearchOptions,
  ): Promise<SearchPage> {
    if (options.offset + options.perPage > MAX_SEARCH_RESULTS) {
      throw new StewardError(
        ErrorCode.Invalid,
        `Search returns at most ${MAX_SEARCH_RESULTS} results; narrow the query`,
        { page: [`page × per_page must be at most ${MAX_SEARCH_RESULTS}`] },
      );
    }
    const plan = await this.plan(user, text);
    const results: SearchResult[] = [];
    let ticketCount = 0;
    if (plan.criteria) {
      const [rows, count] = await this.search.page({
        scope: await this.tickets.scopeOf(user),
        criteria: plan.criteria,
        offset: options.offset,
        limit: options.perPage,
        sortBy: options.sortBy ?? 'updated_at',
        descending: options.descending ?? true,
      });
      ticketCount = count;
      const views = await this.tickets.showMany(
        rows.map((row) => row.id),
        user,
      );
      const byId = new Map(views.map((view) => [view.ticket.id, view]));
      for (const row of rows) {
        const view = byId.get(row.id);
        if (view) results.push({ type: 'ticket', ticket: view });
      }
    }
    let userCount = 0;
    if (plan.userTerm !== undefined) {
      const offset = Math.max(0, options.offset - ticketCount);
      const perPage = options.perPage - results.length;
      const page = await this.accounts.search(plan.userTerm, {
        offset,
        perPage: Math.max(perPage, 1),
      });
      userCount = page.count;
      if (perPage > 0) results.push(...page.users.map((u) => ({ type: 'user' as const, user: u })));
    }
    return { results, count: ticketCount + userCount };
  }

  /** How many results the query has (Zendesk's `/search/count`). */
  async count(user: Readonly<UserEntity>, text: unknown): Promise<number> {
    const plan = await this.plan(user, text);
    let count = 0;
    if (plan.criteria) {
      count += await this.search.count({
        scope: await this.tickets.scopeOf(user),
        criteria: plan.criteria,
      });
    }
    if (plan.userTerm !== undefined) {
      count += (await this.accounts.search(plan.userTerm, { offset: 0, perPage: 1 })).count;
    }
    return count;
  }

  /** Brings the index rows of these tickets up to date (deleted ones leave the index). */
  async reindex(ticketIds: readonly number[]): Promise<void> {
    const documents = await this.search.documents(ticketIds);
    const present = new Set(documents.map((d) => d.ticketId));
    await this.index.remove(ticketIds.filter((id) => !present.has(id)));
    await this.index.replace(documents);
  }

  /**
   * Rebuilds the whole index from the tickets, `batchSize` tickets at a time; `progress` hears
   * the number done after each batch. Searches during a rebuild miss what is not indexed yet.
   */
  async rebuild(
    batchSize: number,
    progress: (done: number) => void = () => undefined,
  ): Promise<number> {
    await this.index.clear();
    let done = 0;
    let after = 0;
    for (;;) {
      const ids = await this.search.idsAfter(after, batchSize);
      if (ids.length === 0) return done;
      await this.reindex(ids);
      done += ids.length;
      after = ids[ids.length - 1];
      progress(done);
    }
  }

  /** Keeps the index in step: runs after the change committed (see DomainEvents). */
  @OnDomainEvent(
    'ticket.created',
    'ticket.updated',
    'comment.added',
    'comment.redacted',
    'ticket.deleted',
  )
  async onTicketChanged(event: TicketDomainEvent): Promise<void> {
    // The index holds the subject and the comments; a change of status or assignee leaves it be.
    if (event.type === 'ticket.updated' && !event.fields.includes('subject')) return;
    await this.soon(event.ticketId);
  }

  /**
   * Reindexes the ticket with the others changed in the same turn of the event loop: a new
   * ticket announces itself and its first comment at once, and busy desks change many tickets
   * at a time; each is read and written once per batch.
   */
  private soon(ticketId: number): Promise<void> {
    if (!this.batch) {
      const ids = new Set<number>();
      const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.batch = undefined;
        return this.reindex([...ids]);
      });
      this.batch = { ids, done };
    }
    this.batch.ids.add(ticketId);
    return this.batch.done;
  }

  /** What to run: the ticket criteria (undefined: no ticket search) and the users' text. */
  private async plan(
    user: Readonly<UserEntity>,
    text: unknown,
  ): Promise<{ criteria?: SearchCriterion[]; userTerm?: string }> {
    const query = parseSearchQuery(text, this.clock.now());
    const words = query.text.filter((t) => !t.negated && t.value.trim() !== '');
    const mayReadUsers = this.policy.can(user, 'users.read');
    if (query.resultType === 'user') {
      if (!mayReadUsers)
        throw new StewardError(ErrorCode.Forbidden, 'You do not have access to users');
      if (words.length === 0 || words.length !== query.text.length) {
        throw invalidQuery('type:user needs words to find in names or emails, and no -exclusions');
      }
    }
    const userTerm =
      query.resultType !== 'ticket' &&
      mayReadUsers &&
      query.filters.length === 0 &&
      words.length > 0 &&
      words.length === query.text.length
        ? words.map((t) => t.value.trim()).join(' ')
        : undefined;
    if (query.resultType === 'user') return { userTerm };
    const criteria = await this.criteria(query, user);
    // `type:ticket` alone lists every ticket in scope; an empty query is more likely a mistake.
    if (criteria.length === 0 && query.resultType !== 'ticket') {
      throw invalidQuery('needs a word, a filter or type:ticket; punctuation alone finds nothing');
    }
    return { criteria, userTerm };
  }

  private async criteria(
    query: SearchQuery,
    user: Readonly<UserEntity>,
  ): Promise<SearchCriterion[]> {
    const criteria: SearchCriterion[] = [];
    for (const text of query.text) {
      const tokens = searchTokens(text.value);
      if (tokens.length > 0) {
        criteria.push({ kind: 'text', tokens, within: 'text', negated: text.negated });
      }
    }
    // The same property named more than once with `:` means any of the values (Zendesk).
    const anyOf = new Map<TicketSearchField, SearchCriterion>();
    for (const filter of query.filters) {
      const criterion = await this.criterion(filter, user);
      if (criterion === undefined) continue;
      if (filter.comparison !== ':' || filter.negated || !ANY_OF.has(filter.field)) {
        criteria.push(criterion);
        continue;
      }
      const earlier = anyOf.get(filter.field);
      anyOf.set(filter.field, earlier ? merge(earlier, criterion) : criterion);
    }
    return [...criteria, ...anyOf.values()];
  }

  private async criterion(
    filter: SearchFilter,
    user: Readonly<UserEntity>,
  ): Promise<SearchCriterion | undefined> {
    const { negated } = filter;
    switch (filter.field) {
      case 'status':
        return {
          kind: 'column',
          column: 'status',
          values: ordered(TICKET_STATUSES, filter),
          negated,
        };
      case 'priority':
        return {
          kind: 'column',
          column: 'priority',
          values: filter.value === 'none' ? [null] : ordered(TICKET_PRIORITIES, filter),
          negated,
        };
      case 'ticket_type':
        return {
          kind: 'column',
          column: 'type',
          values: [filter.value === 'none' ? null : filter.value],
          negated,
        };
      case 'assignee':
      case 'requester':
      case 'submitter':
        return {
          kind: 'column',
          column: BY_ID[filter.field],
          values: await this.userIds(filter, user),
          negated,
        };
      case 'group':
      case 'organization':
        return {
          kind: 'column',
          column: filter.field === 'group' ? 'group_id' : 'organization_id',
          values: await this.namedIds(filter.field, filter.value),
          negated,
        };
      case 'tags':
        return { kind: 'tags', tags: [filter.value.toLowerCase()], negated };
      case 'subject': {
        const tokens = searchTokens(filter.value);
        if (tokens.length === 0) return undefined;
        return { kind: 'text', tokens, within: 'subject', negated };
      }
      case 'created':
      case 'updated':
      case 'solved': {
        const { from, to } = filter.range ?? { from: undefined, to: undefined };
        const bounds = {
          ':': { from, to },
          '>': { from: to },
          '>=': { from },
          '<': { to: from },
          '<=': { to },
        }[filter.comparison];
        return { kind: 'date', column: DATE_COLUMNS[filter.field], ...bounds, negated };
      }
    }
  }

  /** `me`, `none`, a user id or an email; an unknown email matches nobody. */
  private async userIds(
    filter: SearchFilter,
    user: Readonly<UserEntity>,
  ): Promise<Array<number | null>> {
    const value = filter.value.toLowerCase();
    if (value === 'me') return [user.id];
    if (value === 'none') return [null];
    if (/^\d{1,15}$/.test(value)) return [Number(value)];
    if (value.includes('@')) {
      const found = await this.users.findByEmail(value);
      return found ? [found.id] : [];
    }
    throw invalidQuery(`${filter.field} takes me, none, a user id or an email address`);
  }

  /** `none`, an id or a name (any case). */
  private async namedIds(
    kind: 'group' | 'organization',
    value: string,
  ): Promise<Array<number | null>> {
    if (value.toLowerCase() === 'none') return [null];
    if (/^\d{1,15}$/.test(value)) return [Number(value)];
    return this.search.idsNamed(kind, value);
  }
}

/** The values a comparison selects from an ordered list (`priority>normal`: high, urgent). */
function ordered(values: readonly string[], filter: SearchFilter): string[] {
  const at = values.indexOf(filter.value);
  return values.filter((_, i) => {
    switch (filter.comparison) {
      case ':':
        return i === at;
      case '<':
        return i < at;
      case '<=':
        return i <= at;
      case '>':
        return i > at;
      case '>=':
        return i >= at;
    }
  });
}

/** Two `:` filters of one property: either value. */
function merge(a: SearchCriterion, b: SearchCriterion): SearchCriterion {
  if (a.kind === 'column' && b.kind === 'column')
    return { ...a, values: [...a.values, ...b.values] };
  if (a.kind === 'tags' && b.kind === 'tags') return { ...a, tags: [...a.tags, ...b.tags] };
  throw new TypeError(`cannot merge ${a.kind} with ${b.kind}`);
}
