import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
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
import {
  GroupMembershipService,
  type GroupMembershipEntity,
  type GroupMembershipPage,
  type UserEntity,
} from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { CurrentUser } from '../http/current-user';
import { ApiErrors, ApiPage, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import {
  groupMembershipInput,
  toGroupMembershipList,
  toZendeskGroupMembership,
  type GroupMembershipListDto,
  type GroupMembershipResponseDto,
} from './group.dto';
import { actorOf, pageRequest, recordId, type PageRequest } from '../http/request-body';

/** Zendesk Support API v2: Group Memberships (agents and admins only). */
@ApiTags('Group Memberships')
@Controller('api/v2')
export class GroupMembershipsController {
  constructor(
    private readonly memberships: GroupMembershipService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['group_memberships.json', 'group_memberships'])
  @RequirePermission('groups.read')
  @ApiOperation({ summary: 'List group memberships' })
  @ApiPage()
  @ApiOkResponse({ description: 'A page of memberships', schema: ref('GroupMembershipList') })
  @ApiErrors(422)
  list(@Query() query: unknown): Promise<GroupMembershipListDto> {
    return this.page(query, '/api/v2/group_memberships', (r) => this.memberships.list(r));
  }

  @Get(['users/:user_id/group_memberships.json', 'users/:user_id/group_memberships'])
  @RequirePermission('groups.read')
  @ApiOperation({ summary: "List a user's group memberships" })
  @ApiRecordId('user_id', 'The user')
  @ApiPage()
  @ApiOkResponse({ description: 'A page of memberships', schema: ref('GroupMembershipList') })
  @ApiErrors(404, 422)
  listOfUser(
    @Param('user_id') userId: string,
    @Query() query: unknown,
  ): Promise<GroupMembershipListDto> {
    const id = recordId(userId);
    return this.page(query, `/api/v2/users/${id}/group_memberships`, (r) =>
      this.memberships.listOfUser(id, r),
    );
  }

  @Get(['groups/:group_id/memberships.json', 'groups/:group_id/memberships'])
  @RequirePermission('groups.read')
  @ApiOperation({ summary: "List a group's memberships" })
  @ApiRecordId('group_id', 'The group')
  @ApiPage()
  @ApiOkResponse({ description: 'A page of memberships', schema: ref('GroupMembershipList') })
  @ApiErrors(404, 422)
  listOfGroup(
    @Param('group_id') groupId: string,
    @Query() query: unknown,
  ): Promise<GroupMembershipListDto> {
    const id = recordId(groupId);
    return this.page(query, `/api/v2/groups/${id}/memberships`, (r) =>
      this.memberships.listOfGroup(id, r),
    );
  }

  @Get(['group_memberships/:id.json', 'group_memberships/:id'])
  @RequirePermission('groups.read')
  @ApiOperation({ summary: 'Show a group membership' })
  @ApiRecordId('id', 'The membership')
  @ApiOkResponse({ description: 'The membership', schema: ref('GroupMembershipResponse') })
  @ApiErrors(404)
  async show(@Param('id') id: string): Promise<GroupMembershipResponseDto> {
    return this.respond(await this.memberships.show(recordId(id)));
  }

  @Post(['group_memberships.json', 'group_memberships'])
  @RequirePermission('groups.manage')
  @ApiOperation({ summary: 'Add an agent to a group' })
  @ApiBody({ schema: ref('GroupMembershipRequest') })
  @ApiCreatedResponse({ description: 'The new membership', schema: ref('GroupMembershipResponse') })
  @ApiErrors(400, 422)
  async create(
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<GroupMembershipResponseDto> {
    return this.respond(await this.memberships.create(groupMembershipInput(body), actorOf(user)));
  }

  @Delete(['group_memberships/:id.json', 'group_memberships/:id'])
  @HttpCode(204)
  @RequirePermission('groups.manage')
  @ApiOperation({ summary: 'Remove an agent from a group' })
  @ApiRecordId('id', 'The membership')
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(404)
  async delete(@Param('id') id: string, @CurrentUser() user: Readonly<UserEntity>): Promise<void> {
    await this.memberships.delete(recordId(id), actorOf(user));
  }

  private async page(
    query: unknown,
    path: string,
    load: (request: PageRequest) => Promise<GroupMembershipPage>,
  ): Promise<GroupMembershipListDto> {
    const request = pageRequest(query);
    return toGroupMembershipList(await load(request), request, this.config.publicUrl, path);
  }

  private respond(membership: GroupMembershipEntity): GroupMembershipResponseDto {
    return { group_membership: toZendeskGroupMembership(membership, this.config.publicUrl) };
  }
}
