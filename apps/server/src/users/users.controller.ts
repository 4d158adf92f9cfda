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
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { UserAccountService, type UserActor, type UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { AllowedWhileTwoFactorEnrolment } from '../auth/current-session';
import { CurrentUser } from '../http/current-user';
import { actorOf, pageRequest, recordId } from '../http/request-body';
import { ApiErrors, ApiPage, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import {
  queryText,
  toUserList,
  toZendeskUser,
  userInput,
  type UserListDto,
  type UserResponseDto,
} from './user.dto';

/** The acting user, for the policy and for the audit log. */
export function userActor(user: Readonly<UserEntity>): UserActor {
  return { user, audit: actorOf(user) };
}

/** Zendesk Support API v2: Users. Routes with fixed names come before `users/:id`. */
@ApiTags('Users')
@Controller('api/v2')
export class UsersController {
  constructor(
    private readonly users: UserAccountService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  /** Show the currently authenticated user. */
  @Get(['users/me.json', 'users/me'])
  @RequirePermission('users.me')
  @AllowedWhileTwoFactorEnrolment()
  @ApiOperation({ summary: 'Show the signed-in user' })
  @ApiOkResponse({ description: 'The user', schema: ref('UserResponse') })
  me(@CurrentUser() user: Readonly<UserEntity>): Promise<UserResponseDto> {
    return this.respond(user);
  }

  @Get(['users/search.json', 'users/search'])
  @RequirePermission('users.read')
  @ApiOperation({ summary: 'Search users by email or name' })
  @ApiQuery({ name: 'query', required: true, schema: { type: 'string', maxLength: 255 } })
  @ApiPage()
  @ApiOkResponse({ description: 'A page of users', schema: ref('UserList') })
  @ApiErrors(422)
  async search(@Query() query: unknown): Promise<UserListDto> {
    const request = pageRequest(query);
    const term = queryText(query, 'query');
    const page = await this.users.search(term, request);
    const extra = `&query=${encodeURIComponent(term ?? '')}`;
    const groups = await this.users.defaultGroupIds(page.users);
    return toUserList(
      page,
      groups,
      request,
      this.config.publicUrl,
      '/api/v2/users/search.json',
      extra,
    );
  }

  @Post(['users/create_or_update.json', 'users/create_or_update'])
  @RequirePermission('users.write')
  @ApiOperation({
    summary: 'Create a user, or update the one with the same external id or email',
  })
  @ApiBody({ schema: ref('UserRequest') })
  @ApiCreatedResponse({ description: 'A new user', schema: ref('UserResponse') })
  @ApiOkResponse({ description: 'The updated user', schema: ref('UserResponse') })
  @ApiErrors(400, 422)
  async createOrUpdate(
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Res({ passthrough: true }) res: Response,
  ): Promise<UserResponseDto> {
    const result = await this.users.createOrUpdate(userInput(body), userActor(user));
    res.status(result.created ? 201 : 200);
    return this.respond(result.user);
  }

  @Get(['users.json', 'users'])
  @RequirePermission('users.read')
  @ApiOperation({ summary: 'List users' })
  @ApiQuery({
    name: 'role',
    required: false,
    schema: { type: 'string', enum: ['admin', 'agent', 'end-user'] },
  })
  @ApiPage()
  @ApiOkResponse({ description: 'A page of users', schema: ref('UserList') })
  @ApiErrors(422)
  async list(@Query() query: unknown): Promise<UserListDto> {
    const request = pageRequest(query);
    const page = await this.users.list(request, queryText(query, 'role'));
    const groups = await this.users.defaultGroupIds(page.users);
    return toUserList(page, groups, request, this.config.publicUrl);
  }

  @Get(['users/:id.json', 'users/:id'])
  @RequirePermission('users.read')
  @ApiOperation({ summary: 'Show a user' })
  @ApiRecordId('id', 'The user')
  @ApiOkResponse({ description: 'The user', schema: ref('UserResponse') })
  @ApiErrors(404)
  async show(@Param('id') id: string): Promise<UserResponseDto> {
    return this.respond(await this.users.show(recordId(id)));
  }

  @Post(['users.json', 'users'])
  @RequirePermission('users.write')
  @ApiOperation({ summary: 'Create a user (an end-user unless a role is given)' })
  @ApiBody({ schema: ref('UserRequest') })
  @ApiCreatedResponse({ description: 'The new user', schema: ref('UserResponse') })
  @ApiErrors(400, 422)
  async create(
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<UserResponseDto> {
    return this.respond(await this.users.create(userInput(body), userActor(user)));
  }

  @Put(['users/:id.json', 'users/:id'])
  @RequirePermission('users.write')
  @ApiOperation({ summary: 'Update a user' })
  @ApiRecordId('id', 'The user')
  @ApiBody({ schema: ref('UserRequest') })
  @ApiOkResponse({ description: 'The user', schema: ref('UserResponse') })
  @ApiErrors(400, 404, 422)
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<UserResponseDto> {
    return this.respond(await this.users.update(recordId(id), userInput(body), userActor(user)));
  }

  /** Zendesk's delete: the user is deactivated and shown with `active: false`. */
  @Delete(['users/:id.json', 'users/:id'])
  @HttpCode(200)
  @RequirePermission('users.manage')
  @ApiOperation({ summary: 'Delete (deactivate) a user' })
  @ApiRecordId('id', 'The user')
  @ApiOkResponse({ description: 'The deactivated user', schema: ref('UserResponse') })
  @ApiErrors(404)
  async delete(
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<UserResponseDto> {
    return this.respond(await this.users.deactivate(recordId(id), userActor(user)));
  }

  private async respond(user: Readonly<UserEntity>): Promise<UserResponseDto> {
    const groups = await this.users.defaultGroupIds([user]);
    return { user: toZendeskUser(user, this.config.publicUrl, groups.get(user.id) ?? null) };
  }
}
