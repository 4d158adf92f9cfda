import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
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
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { AttachmentService, TICKET_SORTS, TicketService, type TicketSort } from '@steward/tickets';
import type { Request } from 'express';
import { toZendeskAttachment } from '../attachments/attachment.dto';
import { type CursorLinks, cursorLinks, cursorRequest } from './ticket-cursor';
import { CurrentUser } from '../http/current-user';
import {
  idsQuery,
  pageRequest,
  recordId,
  sortLink,
  sortQuery,
  type SortRequest,
} from '../http/request-body';
import { ApiCursorPage, ApiErrors, ApiIdsQuery, ApiPage, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import {
  type AuditListDto,
  type CommentListDto,
  type ShowManyDto,
  type TicketListDto,
  type TicketResponseDto,
  ticketInput,
  toAuditList,
  toCommentList,
  toTicketList,
  toZendeskTicket,
} from './ticket.dto';
import { ticketActor } from './ticket-actor';

/** A page of a ticket list by cursor (`page[size]`, `page[after]`, `page[before]`). */
type TicketCursorListDto = CursorLinks & { tickets: TicketListDto['tickets'] };

/** Ticket lists: oldest first by id unless asked otherwise. */
const TICKET_LIST_ORDER: SortRequest<TicketSort> = { sortBy: 'id', descending: false };

function sortOf(query: unknown): SortRequest<TicketSort> {
  return sortQuery(query, TICKET_SORTS, TICKET_LIST_ORDER);
}

/**
 * Zendesk Support API v2: Tickets. Reads need `tickets.read`; what a change may touch (fields,
 * public replies, internal notes) the ticket service decides from the caller's permissions, so
 * a light agent can add an internal note through the same `PUT` an agent uses.
 */
@ApiTags('Tickets')
@Controller('api/v2')
export class TicketsController {
  constructor(
    private readonly tickets: TicketService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
    private readonly attachments: AttachmentService,
  ) {}

  @Get(['tickets.json', 'tickets'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'List the tickets the caller may see' })
  @ApiPage()
  @ApiSorts()
  @ApiCursorPage()
  @ApiOkResponse({
    description: 'A page of tickets: offset pages, or by cursor with page[size]',
    schema: { oneOf: [ref('TicketList'), ref('TicketCursorList')] },
  })
  @ApiErrors(400, 422)
  async list(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<TicketListDto | TicketCursorListDto> {
    return this.filtered(query, user, {}, 'tickets');
  }

  @Get(['tickets/show_many.json', 'tickets/show_many'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'Show several tickets (those the caller may see)' })
  @ApiIdsQuery('ticket')
  @ApiOkResponse({ description: 'The tickets', schema: ref('TicketShowMany') })
  @ApiErrors(422)
  async showMany(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<ShowManyDto> {
    const views = await this.tickets.showMany(idsQuery(query), user);
    return { tickets: views.map((view) => toZendeskTicket(view, this.config.publicUrl)) };
  }

  @Get(['tickets/:id.json', 'tickets/:id'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'Show a ticket' })
  @ApiRecordId('id', 'The ticket')
  @ApiOkResponse({ description: 'The ticket', schema: ref('TicketResponse') })
  @ApiErrors(404)
  async show(
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<TicketResponseDto> {
    return this.respond(await this.tickets.show(recordId(id), user));
  }

  @Post(['tickets.json', 'tickets'])
  @RequirePermission('tickets.write')
  @ApiOperation({ summary: 'Create a ticket with its first comment (and its requester)' })
  @ApiBody({ schema: ref('TicketRequest') })
  @ApiCreatedResponse({ description: 'The new ticket', schema: ref('TicketResponse') })
  @ApiErrors(400, 422)
  async create(
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<TicketResponseDto> {
    return this.respond(
      await this.tickets.create(ticketInput(body, true), ticketActor(user, request)),
    );
  }

  @Put(['tickets/:id.json', 'tickets/:id'])
  @RequirePermission('tickets.read')
  @ApiOperation({
    summary: 'Update a ticket: change fields, add a public reply or an internal note',
    description:
      'Changing fields needs tickets.write, a public reply tickets.comment_public, an internal note tickets.comment_internal.',
  })
  @ApiRecordId('id', 'The ticket')
  @ApiBody({ schema: ref('TicketRequest') })
  @ApiOkResponse({ description: 'The ticket', schema: ref('TicketResponse') })
  @ApiErrors(400, 404, 409, 422)
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<TicketResponseDto> {
    const input = ticketInput(body, false);
    return this.respond(await this.tickets.update(recordId(id), input, ticketActor(user, request)));
  }

  @Delete(['tickets/:id.json', 'tickets/:id'])
  @HttpCode(204)
  @RequirePermission('tickets.delete')
  @ApiOperation({ summary: 'Delete a ticket' })
  @ApiRecordId('id', 'The ticket')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404)
  async delete(
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<void> {
    await this.tickets.delete(recordId(id), ticketActor(user, request));
  }

  @Get(['tickets/:id/comments.json', 'tickets/:id/comments'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: "List a ticket's comments" })
  @ApiRecordId('id', 'The ticket')
  @ApiPage()
  @ApiQuery({
    name: 'sort_order',
    required: false,
    schema: { type: 'string', enum: ['asc', 'desc'] },
  })
  @ApiOkResponse({ description: 'A page of comments', schema: ref('TicketCommentList') })
  @ApiErrors(404, 422)
  async comments(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<CommentListDto> {
    const ticketId = recordId(id);
    const request = pageRequest(query);
    const { descending } = sortOf({ sort_order: (query as Record<string, unknown>)?.sort_order });
    const page = await this.tickets.comments(ticketId, user, { ...request, descending });
    // The caller sees these comments, so they see their attachments too.
    const files = await this.attachments.ofComments(page.comments.map((c) => c.id));
    const attachments = new Map(
      [...files].map(([commentId, list]) => [
        commentId,
        list.map((file) => toZendeskAttachment(file, this.config.publicUrl)),
      ]),
    );
    return toCommentList(
      page,
      request,
      `${this.config.publicUrl}/api/v2/tickets/${ticketId}/comments.json`,
      attachments,
    );
  }

  @Get(['tickets/:id/audits.json', 'tickets/:id/audits'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: "List a ticket's audits (every change, oldest first)" })
  @ApiRecordId('id', 'The ticket')
  @ApiPage()
  @ApiOkResponse({ description: 'A page of audits', schema: ref('TicketAuditList') })
  @ApiErrors(404, 422)
  async audits(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<AuditListDto> {
    const ticketId = recordId(id);
    const request = pageRequest(query);
    return toAuditList(
      await this.tickets.audits(ticketId, user, request),
      request,
      `${this.config.publicUrl}/api/v2/tickets/${ticketId}/audits.json`,
    );
  }

  @Get(['users/:id/tickets/requested.json', 'users/:id/tickets/requested'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'List the tickets a user requested' })
  @ApiRecordId('id', 'The user')
  @ApiPage()
  @ApiSorts()
  @ApiCursorPage()
  @ApiOkResponse({
    description: 'A page of tickets: offset pages, or by cursor with page[size]',
    schema: { oneOf: [ref('TicketList'), ref('TicketCursorList')] },
  })
  @ApiErrors(400, 422)
  async requested(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<TicketListDto | TicketCursorListDto> {
    const userId = recordId(id);
    return this.filtered(query, user, { requesterId: userId }, `users/${userId}/tickets/requested`);
  }

  @Get(['users/:id/tickets/assigned.json', 'users/:id/tickets/assigned'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'List the tickets assigned to a user' })
  @ApiRecordId('id', 'The user')
  @ApiPage()
  @ApiSorts()
  @ApiCursorPage()
  @ApiOkResponse({
    description: 'A page of tickets: offset pages, or by cursor with page[size]',
    schema: { oneOf: [ref('TicketList'), ref('TicketCursorList')] },
  })
  @ApiErrors(400, 422)
  async assigned(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<TicketListDto | TicketCursorListDto> {
    const userId = recordId(id);
    return this.filtered(query, user, { assigneeId: userId }, `users/${userId}/tickets/assigned`);
  }

  @Get(['organizations/:id/tickets.json', 'organizations/:id/tickets'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: "List an organization's tickets" })
  @ApiRecordId('id', 'The organization')
  @ApiPage()
  @ApiSorts()
  @ApiCursorPage()
  @ApiOkResponse({
    description: 'A page of tickets: offset pages, or by cursor with page[size]',
    schema: { oneOf: [ref('TicketList'), ref('TicketCursorList')] },
  })
  @ApiErrors(400, 422)
  async ofOrganization(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<TicketListDto | TicketCursorListDto> {
    const organizationId = recordId(id);
    return this.filtered(
      query,
      user,
      { organizationId },
      `organizations/${organizationId}/tickets`,
    );
  }

  /** A list by offset pages (`page`, `per_page`) or, with `page[size]`, by cursor. */
  private async filtered(
    query: unknown,
    user: Readonly<UserEntity>,
    filter: { requesterId?: number; assigneeId?: number; organizationId?: number },
    path: string,
  ): Promise<TicketListDto | TicketCursorListDto> {
    const sort = sortOf(query);
    const url = `${this.config.publicUrl}/api/v2/${path}.json`;
    const cursor = cursorRequest(query, sort);
    if (cursor) {
      const page = await this.tickets.listFrom(user, { ...cursor, ...sort, ...filter });
      return {
        tickets: page.tickets.map((view) => toZendeskTicket(view, this.config.publicUrl)),
        ...cursorLinks(url, cursor, page, sort.sortBy, sortSuffix(sort)),
      };
    }
    const request = pageRequest(query);
    return toTicketList(
      await this.tickets.list(user, { ...request, ...sort, ...filter }),
      request,
      url,
      this.config.publicUrl,
      sortSuffix(sort),
    );
  }

  private respond(view: Parameters<typeof toZendeskTicket>[0]): TicketResponseDto {
    return { ticket: toZendeskTicket(view, this.config.publicUrl) };
  }
}

/** Zendesk's `sort_by` and `sort_order` query parameters of ticket lists. */
function ApiSorts(): MethodDecorator {
  return applyDecorators(
    ApiQuery({
      name: 'sort_by',
      required: false,
      schema: { type: 'string', enum: Object.keys(TICKET_SORTS), default: 'id' },
    }),
    ApiQuery({
      name: 'sort_order',
      required: false,
      schema: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
    }),
  );
}

function sortSuffix(sort: SortRequest<TicketSort>): string {
  return sortLink(sort, TICKET_LIST_ORDER);
}
