import { Controller, Get, Inject } from '@nestjs/common';
import type { UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { CurrentUser } from '../http/current-user';
import { toZendeskUser, type UserResponseDto } from './user.dto';

/** Zendesk Support API v2: Users. */
@Controller('api/v2/users')
export class UsersController {
  constructor(@Inject(STEWARD_CONFIG) private readonly config: StewardConfig) {}

  /** Show the currently authenticated user. */
  @Get(['me.json', 'me'])
  @RequirePermission('users.me')
  me(@CurrentUser() user: Readonly<UserEntity>): UserResponseDto {
    return { user: toZendeskUser(user, this.config.publicUrl) };
  }
}
