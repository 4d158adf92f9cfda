import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { UserIdentityService, type UserEntity, type UserIdentityEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { CurrentUser } from '../http/current-user';
import { recordId } from '../http/request-body';
import { ApiErrors, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
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
@ApiTags('User Identities')
@Controller('api/v2')
export class UserIdentitiesController {
  constructor(
    private readonly identities: UserIdentityService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['users/:userId/identities.json', 'users/:userId/identities'])
  @RequirePermission('users.read')
  @ApiOperation({ summary: "List a user's identities" })
  @ApiRecordId('userId', 'The user')
  @ApiOkResponse({ description: 'The identities', schema: ref('UserIdentityList') })
  @ApiErrors(404)
  async list(@Param('userId') userId: string): Promise<UserIdentityListDto> {
    return this.many(await this.identities.list(recordId(userId)));
  }

  @Get([`${ONE}.json`, ONE])
  @RequirePermission('users.read')
  @ApiOperation({ summary: 'Show an identity' })
  @ApiRecordId('userId', 'The user')
  @ApiRecordId('id', 'The identity')
  @ApiOkResponse({ description: 'The identity', schema: ref('UserIdentityResponse') })
  @ApiErrors(404)
  async show(
    @Param('userId') userId: string,
    @Param('id') id: string,
  ): Promise<UserIdentityResponseDto> {
    return this.respond(await this.identities.show(recordId(userId), recordId(id)));
  }

  @Post(['users/:userId/identities.json', 'users/:userId/identities'])
  @RequirePermission('users.write')
  @ApiOperation({ summary: 'Add an identity to a user' })
  @ApiRecordId('userId', 'The user')
  @ApiBody({ schema: ref('UserIdentityRequest') })
  @ApiCreatedResponse({ description: 'The new identity', schema: ref('UserIdentityResponse') })
  @ApiErrors(400, 404, 422)
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
  @ApiOperation({ summary: "Make an identity the user's primary one" })
  @ApiRecordId('userId', 'The user')
  @ApiRecordId('id', 'The identity')
  @ApiOkResponse({ description: "All the user's identities", schema: ref('UserIdentityList') })
  @ApiErrors(404, 422)
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
  @ApiOperation({ summary: 'Mark an identity verified' })
  @ApiRecordId('userId', 'The user')
  @ApiRecordId('id', 'The identity')
  @ApiOkResponse({ description: 'The identity', schema: ref('UserIdentityResponse') })
  @ApiErrors(404)
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
  @ApiOperation({ summary: 'Update an identity' })
  @ApiRecordId('userId', 'The user')
  @ApiRecordId('id', 'The identity')
  @ApiBody({ schema: ref('UserIdentityRequest') })
  @ApiOkResponse({ description: 'The identity', schema: ref('UserIdentityResponse') })
  @ApiErrors(400, 404, 422)
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
  @ApiOperation({ summary: 'Delete an identity' })
  @ApiRecordId('userId', 'The user')
  @ApiRecordId('id', 'The identity')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404, 422)
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
