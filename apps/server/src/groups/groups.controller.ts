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
import { GroupService, type GroupEntity, type UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { CurrentUser } from '../http/current-user';
import { ApiErrors, ApiPage, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import {
  groupInput,
  toGroupList,
  toZendeskGroup,
  type GroupListDto,
  type GroupResponseDto,
} from './group.dto';
import { actorOf, pageRequest, recordId } from '../http/request-body';

/** Zendesk Support API v2: Groups. */
@ApiTags('Groups')
@Controller('api/v2')
export class GroupsController {
  constructor(
    private readonly groups: GroupService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['groups.json', 'groups'])
  @RequirePermission('groups.read')
  @ApiOperation({ summary: 'List groups' })
  @ApiPage()
  @ApiOkResponse({ description: 'A page of groups', schema: ref('GroupList') })
  @ApiErrors(422)
  async list(@Query() query: unknown): Promise<GroupListDto> {
    const request = pageRequest(query);
    return toGroupList(await this.groups.list(request), request, this.config.publicUrl);
  }

  @Get(['groups/:id.json', 'groups/:id'])
  @RequirePermission('groups.read')
  @ApiOperation({ summary: 'Show a group' })
  @ApiRecordId('id', 'The group')
  @ApiOkResponse({ description: 'The group', schema: ref('GroupResponse') })
  @ApiErrors(404)
  async show(@Param('id') id: string): Promise<GroupResponseDto> {
    return this.respond(await this.groups.show(recordId(id)));
  }

  @Post(['groups.json', 'groups'])
  @RequirePermission('groups.manage')
  @ApiOperation({ summary: 'Create a group' })
  @ApiBody({ schema: ref('GroupRequest') })
  @ApiCreatedResponse({ description: 'The new group', schema: ref('GroupResponse') })
  @ApiErrors(400, 422)
  async create(
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<GroupResponseDto> {
    return this.respond(await this.groups.create(groupInput(body), actorOf(user)));
  }

  @Put(['groups/:id.json', 'groups/:id'])
  @RequirePermission('groups.manage')
  @ApiOperation({ summary: 'Update a group' })
  @ApiRecordId('id', 'The group')
  @ApiBody({ schema: ref('GroupRequest') })
  @ApiOkResponse({ description: 'The group', schema: ref('GroupResponse') })
  @ApiErrors(400, 404, 422)
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<GroupResponseDto> {
    return this.respond(await this.groups.update(recordId(id), groupInput(body), actorOf(user)));
  }

  @Delete(['groups/:id.json', 'groups/:id'])
  @HttpCode(204)
  @RequirePermission('groups.manage')
  @ApiOperation({ summary: 'Delete a group' })
  @ApiRecordId('id', 'The group')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404)
  async delete(@Param('id') id: string, @CurrentUser() user: Readonly<UserEntity>): Promise<void> {
    await this.groups.delete(recordId(id), actorOf(user));
  }

  private respond(group: GroupEntity): GroupResponseDto {
    return { group: toZendeskGroup(group, this.config.publicUrl) };
  }
}
