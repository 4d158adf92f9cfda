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
import type { Response } from 'express';
import { UserAccountService, type UserActor, type UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { CurrentUser } from '../http/current-user';
import { actorOf, pageRequest, recordId } from '../http/request-body';
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
@Controller('api/v2')
export class UsersController {
  constructor(
    private readonly users: UserAccountService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  /** Show the currently authenticated user. */
  @Get(['users/me.json', 'users/me'])
  @RequirePermission('users.me')
  me(@CurrentUser() user: Readonly<UserEntity>): UserResponseDto {
    return this.respond(user);
  }

  @Get(['users/search.json', 'users/search'])
  @RequirePermission('users.read')
  async search(@Query() query: unknown): Promise<UserListDto> {
    const request = pageRequest(query);
    const term = queryText(query, 'query');
    const page = await this.users.search(term, request);
    const extra = `&query=${encodeURIComponent(term ?? '')}`;
    return toUserList(page, request, this.config.publicUrl, '/api/v2/users/search.json', extra);
  }

  @Post(['users/create_or_update.json', 'users/create_or_update'])
  @RequirePermission('users.write')
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
  async list(@Query() query: unknown): Promise<UserListDto> {
    const request = pageRequest(query);
    const page = await this.users.list(request, queryText(query, 'role'));
    return toUserList(page, request, this.config.publicUrl);
  }

  @Get(['users/:id.json', 'users/:id'])
  @RequirePermission('users.read')
  async show(@Param('id') id: string): Promise<UserResponseDto> {
    return this.respond(await this.users.show(recordId(id)));
  }

  @Post(['users.json', 'users'])
  @RequirePermission('users.write')
  async create(
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<UserResponseDto> {
    return this.respond(await this.users.create(userInput(body), userActor(user)));
  }

  @Put(['users/:id.json', 'users/:id'])
  @RequirePermission('users.write')
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
  async delete(
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<UserResponseDto> {
    return this.respond(await this.users.deactivate(recordId(id), userActor(user)));
  }

  private respond(user: Readonly<UserEntity>): UserResponseDto {
    return { user: toZendeskUser(user, this.config.publicUrl) };
  }
}
