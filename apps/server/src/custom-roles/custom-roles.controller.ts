import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CustomRoleService, type CustomRoleWithHolders, type UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { CurrentUser } from '../http/current-user';
import { actorOf, recordId } from '../http/request-body';
import { ref } from '../openapi/schemas';
import { ApiErrors, ApiRecordId } from '../openapi/decorators';
import {
  customRoleInput,
  toCustomRoleList,
  toZendeskCustomRole,
  type CustomRoleListDto,
  type CustomRoleResponseDto,
} from './custom-role.dto';

/**
 * Zendesk Support API v2: Custom Agent Roles. Zendesk has list and show; Steward adds create,
 * update and delete. All of it is for admins (`custom_roles.manage`).
 */
@ApiTags('Custom Roles')
@Controller('api/v2')
export class CustomRolesController {
  constructor(
    private readonly roles: CustomRoleService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['custom_roles.json', 'custom_roles'])
  @RequirePermission('custom_roles.manage')
  @ApiOperation({ summary: 'List custom agent roles' })
  @ApiOkResponse({
    description: 'Every custom role, with how many users hold it',
    schema: ref('CustomRoleList'),
  })
  async list(): Promise<CustomRoleListDto> {
    return toCustomRoleList(await this.roles.list(), this.config.publicUrl);
  }

  @Get(['custom_roles/:id.json', 'custom_roles/:id'])
  @RequirePermission('custom_roles.manage')
  @ApiOperation({ summary: 'Show a custom agent role' })
  @ApiRecordId('id', 'The custom role')
  @ApiOkResponse({ description: 'The custom role', schema: ref('CustomRoleResponse') })
  @ApiErrors(404)
  async show(@Param('id') id: string): Promise<CustomRoleResponseDto> {
    return this.respond(await this.roles.show(recordId(id)));
  }

  @Post(['custom_roles.json', 'custom_roles'])
  @RequirePermission('custom_roles.manage')
  @ApiOperation({ summary: 'Create a custom agent role' })
  @ApiBody({ schema: ref('CustomRoleRequest') })
  @ApiCreatedResponse({ description: 'The new custom role', schema: ref('CustomRoleResponse') })
  @ApiErrors(400, 422)
  async create(
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<CustomRoleResponseDto> {
    return this.respond(await this.roles.create(customRoleInput(body), actorOf(user)));
  }

  @Put(['custom_roles/:id.json', 'custom_roles/:id'])
  @RequirePermission('custom_roles.manage')
  @ApiOperation({ summary: 'Update a custom agent role' })
  @ApiBody({ schema: ref('CustomRoleRequest') })
  @ApiRecordId('id', 'The custom role')
  @ApiOkResponse({ description: 'The custom role', schema: ref('CustomRoleResponse') })
  @ApiErrors(400, 404, 422)
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<CustomRoleResponseDto> {
    const input = customRoleInput(body);
    return this.respond(await this.roles.update(recordId(id), input, actorOf(user)));
  }

  /** 204; 422 while users hold the role. */
  @Delete(['custom_roles/:id.json', 'custom_roles/:id'])
  @HttpCode(204)
  @RequirePermission('custom_roles.manage')
  @ApiOperation({ summary: 'Delete a custom agent role that nobody holds' })
  @ApiRecordId('id', 'The custom role')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404, 422)
  async delete(@Param('id') id: string, @CurrentUser() user: Readonly<UserEntity>): Promise<void> {
    await this.roles.delete(recordId(id), actorOf(user));
  }

  private respond(role: CustomRoleWithHolders): CustomRoleResponseDto {
    return { custom_role: toZendeskCustomRole(role, this.config.publicUrl) };
  }
}
