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
import { type TagChange, TagService } from '@steward/tickets';
import type { Request } from 'express';
import { CurrentUser } from '../http/current-user';
import { isObject, own, pageRequest, recordId } from '../http/request-body';
import { ApiErrors, ApiPage, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import { type TagListDto, type TagNamesDto, tagChangeBody, toTagList } from './tag.dto';
import { ticketActor } from './ticket-actor';

/**
 * Zendesk Support API v2: Tags. The lists count only the tickets the caller may see; a ticket's
 * tags change through the ticket service (audited like any ticket change). As in Zendesk, POST
 * sets a ticket's tags, PUT adds to them and DELETE removes some.
 */
@ApiTags('Tags')
@Controller('api/v2')
export class TagsController {
  constructor(
    private readonly tags: TagService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['tags.json', 'tags'])
  @RequirePermission('tickets.read')
  @ApiOperation({
    summary: 'List the most used tags',
    description: 'Counted over the tickets the caller may see, most used first.',
  })
  @ApiPage()
  @ApiOkResponse({ description: 'A page of tags with their counts', schema: ref('TagList') })
  @ApiErrors(422)
  async list(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<TagListDto> {
    const request = pageRequest(query);
    return toTagList(
      await this.tags.popular(user, request),
      request,
      `${this.config.publicUrl}/api/v2/tags.json`,
    );
  }

  @Get(['autocomplete/tags.json', 'autocomplete/tags'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'Tags starting with the given characters (at least 2)' })
  @ApiQuery({ name: 'name', schema: { type: 'string', minLength: 2, example: 'vp' } })
  @ApiOkResponse({ description: 'Up to 15 tag names', schema: ref('TagNames') })
  @ApiErrors(422)
  async autocomplete(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<TagNamesDto> {
    const name = isObject(query) ? own(query, 'name') : undefined;
    return { tags: await this.tags.autocomplete(user, name) };
  }

  @Get(['tickets/:id/tags.json', 'tickets/:id/tags'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: "List a ticket's tags" })
  @ApiRecordId('id', 'The ticket')
  @ApiOkResponse({ description: 'The tags', schema: ref('TagNames') })
  @ApiErrors(404)
  async ofTicket(
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<TagNamesDto> {
    return { tags: [...(await this.tags.ofTicket(recordId(id), user))] };
  }

  @Post(['tickets/:id/tags.json', 'tickets/:id/tags'])
  @RequirePermission('tickets.write')
  @ApiOperation({ summary: "Set a ticket's tags (replacing the ones it has)" })
  @ApiRecordId('id', 'The ticket')
  @ApiBody({ schema: ref('TagChangeRequest') })
  @ApiCreatedResponse({ description: 'The tags now', schema: ref('TagNames') })
  @ApiErrors(400, 404, 409, 422)
  async set(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<TagNamesDto> {
    return this.change(id, 'set', body, user, request);
  }

  @Put(['tickets/:id/tags.json', 'tickets/:id/tags'])
  @RequirePermission('tickets.write')
  @ApiOperation({ summary: 'Add tags to a ticket' })
  @ApiRecordId('id', 'The ticket')
  @ApiBody({ schema: ref('TagChangeRequest') })
  @ApiOkResponse({ description: 'The tags now', schema: ref('TagNames') })
  @ApiErrors(400, 404, 409, 422)
  async add(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<TagNamesDto> {
    return this.change(id, 'add', body, user, request);
  }

  @Delete(['tickets/:id/tags.json', 'tickets/:id/tags'])
  @HttpCode(204)
  @RequirePermission('tickets.write')
  @ApiOperation({ summary: 'Remove tags from a ticket' })
  @ApiRecordId('id', 'The ticket')
  @ApiBody({ schema: ref('TagChangeRequest') })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(400, 404, 409, 422)
  async remove(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<void> {
    await this.change(id, 'remove', body, user, request);
  }

  private async change(
    id: string,
    change: TagChange,
    body: unknown,
    user: Readonly<UserEntity>,
    request: Request,
  ): Promise<TagNamesDto> {
    const ticketId = recordId(id);
    const { tags, updatedStamp } = tagChangeBody(body);
    const after = await this.tags.change(
      ticketId,
      change,
      tags,
      ticketActor(user, request),
      updatedStamp,
    );
    return { tags: [...after] };
  }
}
