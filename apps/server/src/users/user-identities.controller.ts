import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { UserIdentityService, type UserEntity, type UserIdentityEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { CurrentUser } from '../http/current-user';
import { recordId } from '../http/request-body';
import {
  identityInput,
  toIdentityList,
  toZendeskIdentity,
  type UserIdentityListDto,
  type UserIdentityResponseDto,
} from './user.dto';
import { userActor } from './users.controller';

const ONE = 'users/:userId/identities/:id';

/** Zendesk Support API v2: User Identities (email addresses). */
@Controller('api/v2')
export class UserIdentitiesController {
  constructor(
    private readonly identities: UserIdentityService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['users/:userId/identities.json', 'users/:userId/identities'])
  @RequirePermission('users.read')
  async list(@Param('userId') userId: string): Promise<UserIdentityListDto> {
    return this.many(await this.identities.list(recordId(userId)));
  }

  @Get([`${ONE}.json`, ONE])
  @RequirePermission('users.read')
  async show(
    @Param('userId') userId: string,
    @Param('id') id: string,
  ): Promise<UserIdentityResponseDto> {
    return this.respond(await this.identities.show(recordId(userId), recordId(id)));
  }

  @Post(['users/:userId/identities.json', 'users/:userId/identities'])
  @RequirePermission('users.write')
  async create(
    @Param('userId') userId: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<UserIdentityResponseDto> {
    return this.respond(
      await this.identities.create(recordId(userId), identityInput(body), userActor(user)),
    );
  }

  @Put([`${ONE}/make_primary.json`, `${ONE}/make_primary`])
  @RequirePermission('users.write')
  async makePrimary(
    @Param('userId') userId: string,
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<UserIdentityListDto> {
    return this.many(
      await this.identities.makePrimary(recordId(userId), recordId(id), userActor(user)),
    );
  }

  @Put([`${ONE}/verify.json`, `${ONE}/verify`])
  @RequirePermission('users.write')
  async verify(
    @Param('userId') userId: string,
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<UserIdentityResponseDto> {
    return this.respond(
      await this.identities.verify(recordId(userId), recordId(id), userActor(user)),
    );
  }

  @Put([`${ONE}.json`, ONE])
  @RequirePermission('users.write')
  async update(
    @Param('userId') userId: string,
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<UserIdentityResponseDto> {
    const input = identityInput(body);
    return this.respond(
      await this.identities.update(recordId(userId), recordId(id), input, userActor(user)),
    );
  }

  @Delete([`${ONE}.json`, ONE])
  @HttpCode(204)
  @RequirePermission('users.write')
  async delete(
    @Param('userId') userId: string,
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<void> {
    await this.identities.delete(recordId(userId), recordId(id), userActor(user));
  }

  private respond(identity: Readonly<UserIdentityEntity>): UserIdentityResponseDto {
    return { identity: toZendeskIdentity(identity, this.config.publicUrl) };
  }

  private many(identities: readonly UserIdentityEntity[]): UserIdentityListDto {
    return toIdentityList(identities, this.config.publicUrl);
  }
}
