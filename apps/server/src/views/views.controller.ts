import {
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
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { ViewService } from '@steward/tickets';
import { CurrentUser } from '../http/current-user';
import { pageRequest, recordId, idsQuery } from '../http/request-body';
import { ApiErrors, ApiIdsQuery, ApiPage, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import {
  toViewExecute,
  toViewList,
  toViewTickets,
  toZendeskView,
  toZendeskViewCount,
  type ViewCountDto,
  type ViewCountManyDto,
  type ViewExecuteDto,
  type ViewListDto,
  type ViewResponseDto,
  type ViewTicketsDto,
  viewInput,
} from './view.dto';

/**
 * Zendesk Support API v2: Views. Everyone who reads tickets uses views (light agents too);
 * what a view shows never goes past the caller's own ticket scope. Changing a shared or group
 * view needs `views.manage`; agents keep personal views (the service decides).
 */
@ApiTags('Views')
@Controller('api/v2')
export class ViewsController {
  constructor(
    private readonly views: ViewService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['views.json', 'views'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'List the views the caller may use: shared, personal, their groups’' })
  @ApiOkResponse({ description: 'Every usable view, by position', schema: ref('ViewList') })
  async list(@CurrentUser() user: Readonly<UserEntity>): Promise<ViewListDto> {
    return toViewList(await this.views.list(user, { activeOnly: false }), this.config.publicUrl);
  }

  @Get(['views/active.json', 'views/active'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'List the active views the caller may use' })
  @ApiOkResponse({ description: 'The active usable views, by position', schema: ref('ViewList') })
  async active(@CurrentUser() user: Readonly<UserEntity>): Promise<ViewListDto> {
    return toViewList(await this.views.list(user, { activeOnly: true }), this.config.publicUrl);
  }

  @Get(['views/count_many.json', 'views/count_many'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'Count the tickets of several views (those the caller may use)' })
  @ApiIdsQuery('view')
  @ApiOkResponse({ description: 'The counts', schema: ref('ViewCountMany') })
  @ApiErrors(422)
  async countMany(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<ViewCountManyDto> {
    const counts = await this.views.countMany(idsQuery(query), user);
    return { view_counts: counts.map((count) => toZendeskViewCount(count, this.config.publicUrl)) };
  }

  @Get(['views/:id.json', 'views/:id'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'Show a view' })
  @ApiRecordId('id', 'The view')
  @ApiOkResponse({ description: 'The view', schema: ref('ViewResponse') })
  @ApiErrors(404)
  async show(
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<ViewResponseDto> {
    return this.respond(await this.views.show(recordId(id), user));
  }

  @Post(['views.json', 'views'])
  @RequirePermission('tickets.read')
  @ApiOperation({
    summary: 'Create a view',
    description:
      'A personal view (restriction {"type": "User", "id": <your id>}) needs tickets.write; a shared or group view views.manage.',
  })
  @ApiBody({ schema: ref('ViewRequest') })
  @ApiCreatedResponse({ description: 'The new view', schema: ref('ViewResponse') })
  @ApiErrors(400, 422)
  async create(
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<ViewResponseDto> {
    return this.respond(await this.views.create(viewInput(body), user));
  }

  @Put(['views/:id.json', 'views/:id'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'Change a view (the same permissions as creating it)' })
  @ApiRecordId('id', 'The view')
  @ApiBody({ schema: ref('ViewRequest') })
  @ApiOkResponse({ description: 'The view', schema: ref('ViewResponse') })
  @ApiErrors(400, 404, 422)
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<ViewResponseDto> {
    return this.respond(await this.views.update(recordId(id), viewInput(body), user));
  }

  @Delete(['views/:id.json', 'views/:id'])
  @HttpCode(204)
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'Delete a view (default views can only be deactivated)' })
  @ApiRecordId('id', 'The view')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404, 422)
  async delete(@Param('id') id: string, @CurrentUser() user: Readonly<UserEntity>): Promise<void> {
    await this.views.delete(recordId(id), user);
  }

  @Get(['views/:id/execute.json', 'views/:id/execute'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: "Run a view: one page of rows with the view's columns" })
  @ApiRecordId('id', 'The view')
  @ApiPage()
  @ApiOkResponse({ description: 'A page of rows', schema: ref('ViewExecute') })
  @ApiErrors(404, 422)
  async execute(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<ViewExecuteDto> {
    const request = pageRequest(query);
    const page = await this.views.ticketPage(recordId(id), user, request);
    return toViewExecute(page, request, this.config.publicUrl);
  }

  @Get(['views/:id/tickets.json', 'views/:id/tickets'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: "List a view's tickets, in the view's order" })
  @ApiRecordId('id', 'The view')
  @ApiPage()
  @ApiOkResponse({ description: 'A page of tickets', schema: ref('TicketList') })
  @ApiErrors(404, 422)
  async tickets(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<ViewTicketsDto> {
    const request = pageRequest(query);
    const page = await this.views.ticketPage(recordId(id), user, request);
    return toViewTickets(page, request, this.config.publicUrl);
  }

  @Get(['views/:id/count.json', 'views/:id/count'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: "Count a view's tickets (counted now: fresh)" })
  @ApiRecordId('id', 'The view')
  @ApiOkResponse({ description: 'The count', schema: ref('ViewCountResponse') })
  @ApiErrors(404)
  async count(
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<ViewCountDto> {
    const count = await this.views.countOf(recordId(id), user);
    return { view_count: toZendeskViewCount(count, this.config.publicUrl) };
  }

  private respond(view: Parameters<typeof toZendeskView>[0]): ViewResponseDto {
    return { view: toZendeskView(view, this.config.publicUrl) };
  }
}
