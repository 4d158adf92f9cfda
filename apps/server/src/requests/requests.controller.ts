import { Body, Controller, Get, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import {
  REQUEST_SORTS,
  RequestService,
  type RequestSort,
  TICKET_STATUSES,
  type TicketActor,
} from '@steward/tickets';
import type { Request } from 'express';
import { CurrentUser } from '../http/current-user';
import { pageRequest, recordId, sortLink } from '../http/request-body';
import { ApiErrors, ApiPage, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import {
  type RequestCommentListDto,
  type RequestListDto,
  type RequestResponseDto,
  requestChange,
  requestInput,
  requestSortOf,
  statusesQuery,
  toRequestCommentList,
  toRequestList,
  toZendeskRequest,
  REQUEST_LIST_ORDER,
} from './request.dto';

/**
 * Zendesk Support API v2: Requests, a requester's view of their tickets. Every route needs
 * `requests.own` (end-users have it; staff too, for their own requests); which tickets a caller
 * reaches, and that they see public comments only, the RequestService decides. A ticket they
 * may not see is 404, never 403.
 */
@ApiTags('Requests')
@Controller('api/v2')
export class RequestsController {
  constructor(
    private readonly requests: RequestService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['requests.json', 'requests'])
  @RequirePermission('requests.own')
  @ApiOperation({ summary: "List the caller's own requests" })
  @ApiPage()
  @ApiQuery({
    name: 'status',
    required: false,
    description: `Only these statuses, comma-separated (${TICKET_STATUSES.join(', ')})`,
    schema: { type: 'string', example: 'open,pending' },
  })
  @ApiQuery({
    name: 'sort_by',
    required: false,
    schema: { type: 'string', enum: Object.keys(REQUEST_SORTS), default: 'created_at' },
  })
  @ApiQuery({
    name: 'sort_order',
    required: false,
    schema: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
  })
  @ApiOkResponse({ description: 'A page of requests', schema: ref('RequestList') })
  @ApiErrors(422)
  async list(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<RequestListDto> {
    const page = pageRequest(query);
    const statuses = statusesQuery(query);
    const sort = requestSortOf(query);
    return toRequestList(
      await this.requests.list(user, { ...page, ...sort, statuses }),
      page,
      `${this.config.publicUrl}/api/v2/requests.json`,
      this.config.publicUrl,
      listSuffix(statuses, sort),
    );
  }

  @Get(['requests/:id.json', 'requests/:id'])
  @RequirePermission('requests.own')
  @ApiOperation({ summary: 'Show a request' })
  @ApiRecordId('id', 'The request')
  @ApiOkResponse({ description: 'The request', schema: ref('RequestResponse') })
  @ApiErrors(404)
  async show(
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<RequestResponseDto> {
    return this.respond(await this.requests.show(recordId(id), user));
  }

  @Post(['requests.json', 'requests'])
  @RequirePermission('requests.own')
  @ApiOperation({ summary: 'File a request as the caller, with its first (public) comment' })
  @ApiBody({ schema: ref('RequestCreateRequest') })
  @ApiCreatedResponse({ description: 'The new request', schema: ref('RequestResponse') })
  @ApiErrors(400, 422)
  async create(
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<RequestResponseDto> {
    return this.respond(await this.requests.create(requestInput(body), actorOf(user, request)));
  }

  @Put(['requests/:id.json', 'requests/:id'])
  @RequirePermission('requests.own')
  @ApiOperation({
    summary: 'Add a public comment to a request, or mark it solved',
    description:
      '`"solved": true` only when `can_be_solved_by_me`; a comment on a solved request reopens it; a closed request answers 422.',
  })
  @ApiRecordId('id', 'The request')
  @ApiBody({ schema: ref('RequestUpdateRequest') })
  @ApiOkResponse({ description: 'The request', schema: ref('RequestResponse') })
  @ApiErrors(400, 404, 422)
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<RequestResponseDto> {
    const change = requestChange(body);
    return this.respond(await this.requests.update(recordId(id), change, actorOf(user, request)));
  }

  @Get(['requests/:id/comments.json', 'requests/:id/comments'])
  @RequirePermission('requests.own')
  @ApiOperation({ summary: "List a request's public comments" })
  @ApiRecordId('id', 'The request')
  @ApiPage()
  @ApiQuery({
    name: 'sort_order',
    required: false,
    schema: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
  })
  @ApiOkResponse({ description: 'A page of comments', schema: ref('RequestCommentList') })
  @ApiErrors(404, 422)
  async comments(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<RequestCommentListDto> {
    const requestId = recordId(id);
    const page = pageRequest(query);
    const { descending } = requestSortOf({
      sort_order: (query as Record<string, unknown> | undefined)?.sort_order,
    });
    return toRequestCommentList(
      await this.requests.comments(requestId, user, { ...page, descending }),
      page,
      `${this.config.publicUrl}/api/v2/requests/${requestId}/comments.json`,
      descending ? '&sort_order=desc' : '',
    );
  }

  private respond(view: Parameters<typeof toZendeskRequest>[0]): RequestResponseDto {
    return { request: toZendeskRequest(view, this.config.publicUrl) };
  }
}

/** API calls (an Authorization header) come `via` api; the web app's cookie calls via web. */
function actorOf(user: Readonly<UserEntity>, request: Request): TicketActor {
  return { user, via: request.headers.authorization === undefined ? 'web' : 'api' };
}

function listSuffix(
  statuses: readonly string[] | undefined,
  sort: { sortBy: RequestSort; descending: boolean },
): string {
  const status = statuses === undefined ? '' : `&status=${statuses.join(',')}`;
  return `${status}${sortLink(sort, REQUEST_LIST_ORDER)}`;
}
