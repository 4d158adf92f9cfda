import {
  applyDecorators,
  Body,
  Controller,
  Get,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
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
  AttachmentService,
  REQUEST_SORTS,
  type RequestList,
  RequestService,
  type RequestSort,
  TICKET_STATUSES,
} from '@steward/tickets';
import type { Request } from 'express';
import { toZendeskAttachment } from '../attachments/attachment.dto';
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
import { ticketActor } from '../tickets/ticket-actor';

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
    private readonly attachments: AttachmentService,
  ) {}

  @Get(['requests.json', 'requests'])
  @RequirePermission('requests.own')
  @ApiOperation({ summary: "List the caller's own requests" })
  @ApiRequestList()
  @ApiErrors(422)
  async list(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<RequestListDto> {
    return this.page({ kind: 'mine' }, query, user, 'requests');
  }

  // The literal paths come before `requests/:id`, which would take `ccd` for an id.
  @Get(['requests/ccd.json', 'requests/ccd'])
  @RequirePermission('requests.own')
  @ApiOperation({ summary: "List the requests the caller is CC'd on" })
  @ApiRequestList()
  @ApiErrors(422)
  async ccd(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<RequestListDto> {
    return this.page({ kind: 'ccd' }, query, user, 'requests/ccd');
  }

  @Get(['requests/solved.json', 'requests/solved'])
  @RequirePermission('requests.own')
  @ApiOperation({ summary: "List the caller's solved (and closed) requests" })
  @ApiRequestList()
  @ApiErrors(422)
  async solved(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<RequestListDto> {
    return this.page({ kind: 'solved' }, query, user, 'requests/solved');
  }

  @Get(['requests/open.json', 'requests/open'])
  @RequirePermission('requests.own')
  @ApiOperation({ summary: "List the caller's unsolved requests (new, open, pending, hold)" })
  @ApiRequestList()
  @ApiErrors(422)
  async open(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<RequestListDto> {
    return this.page({ kind: 'open' }, query, user, 'requests/open');
  }

  @Get(['users/:id/requests.json', 'users/:id/requests'])
  @RequirePermission('requests.own')
  @ApiOperation({
    summary: 'List the requests a user requested',
    description:
      "An end-user may list only their own (anyone else's answers 404); staff see those inside their ticket scope.",
  })
  @ApiRecordId('id', 'The user')
  @ApiRequestList()
  @ApiErrors(404, 422)
  async ofUser(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<RequestListDto> {
    const userId = recordId(id);
    return this.page({ kind: 'user', userId }, query, user, `users/${userId}/requests`);
  }

  @Get(['organizations/:id/requests.json', 'organizations/:id/requests'])
  @RequirePermission('requests.own')
  @ApiOperation({
    summary: "List an organization's requests",
    description:
      'For its members when it shares tickets (never a confidential group’s); staff see those inside their ticket scope; anyone else gets 404.',
  })
  @ApiRecordId('id', 'The organization')
  @ApiRequestList()
  @ApiErrors(404, 422)
  async ofOrganization(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<RequestListDto> {
    const organizationId = recordId(id);
    return this.page(
      { kind: 'organization', organizationId },
      query,
      user,
      `organizations/${organizationId}/requests`,
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
    return this.respond(await this.requests.create(requestInput(body), ticketActor(user, request)));
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
    return this.respond(
      await this.requests.update(recordId(id), change, ticketActor(user, request)),
    );
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
    const comments = await this.requests.comments(requestId, user, { ...page, descending });
    // Public comments of a request the caller sees: their files are the caller's to see too.
    const files = await this.attachments.ofComments(comments.comments.map((c) => c.id));
    const attachments = new Map(
      [...files].map(([commentId, list]) => [
        commentId,
        list.map((file) => toZendeskAttachment(file, this.config.publicUrl)),
      ]),
    );
    return toRequestCommentList(
      comments,
      page,
      `${this.config.publicUrl}/api/v2/requests/${requestId}/comments.json`,
      descending ? '&sort_order=desc' : '',
      attachments,
    );
  }

  private async page(
    list: RequestList,
    query: unknown,
    user: Readonly<UserEntity>,
    path: string,
  ): Promise<RequestListDto> {
    const page = pageRequest(query);
    const statuses = statusesQuery(query);
    const sort = requestSortOf(query);
    return toRequestList(
      await this.requests.listOf(list, user, { ...page, ...sort, statuses }),
      page,
      `${this.config.publicUrl}/api/v2/${path}.json`,
      this.config.publicUrl,
      listSuffix(statuses, sort),
    );
  }

  private respond(view: Parameters<typeof toZendeskRequest>[0]): RequestResponseDto {
    return { request: toZendeskRequest(view, this.config.publicUrl) };
  }
}

/** The query parameters every request list takes. */
function ApiRequestList(): MethodDecorator {
  return applyDecorators(
    ApiPage(),
    ApiQuery({
      name: 'status',
      required: false,
      description: `Only these statuses, comma-separated (${TICKET_STATUSES.join(', ')})`,
      schema: { type: 'string', example: 'open,pending' },
    }),
    ApiQuery({
      name: 'sort_by',
      required: false,
      schema: { type: 'string', enum: Object.keys(REQUEST_SORTS), default: 'created_at' },
    }),
    ApiQuery({
      name: 'sort_order',
      required: false,
      schema: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
    }),
    ApiOkResponse({ description: 'A page of requests', schema: ref('RequestList') }),
  );
}

function listSuffix(
  statuses: readonly string[] | undefined,
  sort: { sortBy: RequestSort; descending: boolean },
): string {
  const status = statuses === undefined ? '' : `&status=${statuses.join(',')}`;
  return `${status}${sortLink(sort, REQUEST_LIST_ORDER)}`;
}
