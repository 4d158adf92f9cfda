import { applyDecorators, Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { UserAccountService, type UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import {
  MAX_SEARCH_QUERY_LENGTH,
  TICKET_SORTS,
  TicketSearchService,
  type TicketSort,
} from '@steward/tickets';
import { CurrentUser } from '../http/current-user';
import { pageRequest, sortQuery, type SortRequest } from '../http/request-body';
import { ApiErrors, ApiPage } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import { type SearchCountDto, type SearchResultsDto, toSearchResults } from './search.dto';

/**
 * Zendesk Support API v2: Search. Staff search tickets (inside what they may see) and, with
 * `users.read`, users; the query language is Zendesk's (see docs/api.md, "Search").
 */
@ApiTags('Search')
@Controller('api/v2')
export class SearchController {
  constructor(
    private readonly search: TicketSearchService,
    private readonly users: UserAccountService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['search.json', 'search'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'Search tickets and users' })
  @ApiSearchQuery()
  @ApiPage()
  @ApiQuery({
    name: 'sort_by',
    required: false,
    schema: { type: 'string', enum: Object.keys(TICKET_SORTS), default: 'updated_at' },
  })
  @ApiQuery({
    name: 'sort_order',
    required: false,
    schema: { type: 'string', enum: ['asc', 'desc'], default: 'desc' },
  })
  @ApiOkResponse({ description: 'A page of results', schema: ref('SearchResults') })
  @ApiErrors(422)
  async find(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<SearchResultsDto> {
    const request = pageRequest(query);
    const sort = sortOf(query);
    const text = queryOf(query);
    const page = await this.search.find(user, text, { ...request, ...sort });
    const groups = await this.users.defaultGroupIds(
      page.results.flatMap((r) => (r.type === 'user' ? [r.user] : [])),
    );
    const extra =
      `&query=${encodeURIComponent(typeof text === 'string' ? text : '')}` +
      `&sort_by=${sort.sortBy}&sort_order=${sort.descending ? 'desc' : 'asc'}`;
    return toSearchResults(page, groups, request, this.config.publicUrl, extra);
  }

  @Get(['search/count.json', 'search/count'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'Count the results of a search' })
  @ApiSearchQuery()
  @ApiOkResponse({ description: 'How many results', schema: ref('SearchCount') })
  @ApiErrors(422)
  async count(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<SearchCountDto> {
    return { count: await this.search.count(user, queryOf(query)) };
  }
}

function ApiSearchQuery(): MethodDecorator {
  return applyDecorators(
    ApiQuery({
      name: 'query',
      required: true,
      description:
        'Words, "phrases", -exclusions and filters such as status<solved, tags:vpn, ' +
        'assignee:me, group:"HR", created>2026-01-01, type:ticket or type:user',
      schema: { type: 'string', maxLength: MAX_SEARCH_QUERY_LENGTH, example: 'vpn status:open' },
    }),
  );
}

/** The raw `query` parameter: the parser refuses anything but one string. */
function queryOf(query: unknown): unknown {
  return typeof query === 'object' && query !== null
    ? (query as Record<string, unknown>).query
    : undefined;
}

/** `sort_by` (default updated_at) and `sort_order` (default desc), as Zendesk's search takes them. */
function sortOf(query: unknown): SortRequest<TicketSort> {
  return sortQuery(query, TICKET_SORTS, { sortBy: 'updated_at', descending: true });
}
