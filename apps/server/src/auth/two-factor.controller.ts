import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import {
  type TwoFactorActor,
  TwoFactorService,
  type TwoFactorStatus,
  type UserEntity,
} from '@steward/identity';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import type { Request, Response } from 'express';
import { CurrentUser } from '../http/current-user';
import { recordId } from '../http/request-body';
import { contextOf, field } from './auth-body';
import type { CookieOptions } from './cookies';
import {
  AllowedWhileTwoFactorEnrolment,
  currentSessionOf,
  RequireRecentAuthentication,
} from './current-session';
import { answerSession, cookieOptions, type SessionResponseDto } from './session.controller';

export interface TwoFactorStatusDto {
  two_factor: {
    enabled: boolean;
    enabled_at: string | null;
    /** An enrolment was started and awaits its first code. */
    pending: boolean;
    recovery_codes_left: number;
    /** The policy (STEWARD_TWO_FACTOR_REQUIRED) requires this user to have it. */
    required: boolean;
  };
}

export interface TwoFactorEnrolmentDto {
  /** Shown once: add it to an authenticator app (or scan the URI as a QR code). */
  two_factor: { pending: true; secret: string; otpauth_uri: string };
}

export interface RecoveryCodesDto {
  /** Shown once; each works once. */
  recovery_codes: readonly string[];
}

export type TwoFactorConfirmedDto = TwoFactorStatusDto &
  RecoveryCodesDto &
  Partial<SessionResponseDto>;

/**
 * Steward's own two-factor endpoints: the signed-in user's enrolment, recovery codes and
 * removal, and an admin's reset of another user's second factor. Removal, new recovery codes
 * and the admin reset are sensitive actions: they need a recent password (ASVS V3.7.1).
 */
@ApiTags('Two-Factor Authentication')
@Controller('api/v2')
export class TwoFactorController {
  private readonly cookies: CookieOptions;

  constructor(
    private readonly twoFactor: TwoFactorService,
    @Inject(STEWARD_CONFIG) config: StewardConfig,
  ) {
    this.cookies = cookieOptions(config);
  }

  @Get(['users/me/two_factor.json', 'users/me/two_factor'])
  @ApiOperation({ summary: 'Show whether the signed-in user has two-factor authentication' })
  @RequirePermission('users.me')
  @AllowedWhileTwoFactorEnrolment()
  @ApiOkResponse({ description: 'The status', schema: ref('TwoFactorStatus') })
  async status(@CurrentUser() user: Readonly<UserEntity>): Promise<TwoFactorStatusDto> {
    return this.statusOf(user, await this.twoFactor.status(user.id));
  }

  /** Starts enrolment: a new secret, answered once, which a first code then confirms. */
  @Post(['users/me/two_factor.json', 'users/me/two_factor'])
  @ApiOperation({ summary: 'Start two-factor enrolment: a new TOTP secret, shown once' })
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @RequirePermission('users.me')
  @AllowedWhileTwoFactorEnrolment()
  @ApiCreatedResponse({ description: 'The secret', schema: ref('TwoFactorEnrolment') })
  @ApiErrors(422)
  async start(
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() req: Request,
  ): Promise<TwoFactorEnrolmentDto> {
    const started = await this.twoFactor.start(actorOf(user, req), user);
    return { two_factor: { pending: true, secret: started.secret, otpauth_uri: started.uri } };
  }

  /**
   * Confirms enrolment with `{ "code" }` from the authenticator; answers the recovery codes
   * once. A session that owed the enrolment is replaced by a full one (new cookies).
   */
  @Post(['users/me/two_factor/confirm.json', 'users/me/two_factor/confirm'])
  @ApiOperation({
    summary: 'Confirm two-factor enrolment with a first code; answers the recovery codes once',
  })
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @RequirePermission('users.me')
  @AllowedWhileTwoFactorEnrolment()
  @ApiBody({ schema: ref('TwoFactorCodeRequest') })
  @ApiOkResponse({ description: 'Enabled', schema: ref('TwoFactorConfirmed') })
  @ApiErrors(400, 422, 429)
  async confirm(
    @CurrentUser() user: Readonly<UserEntity>,
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TwoFactorConfirmedDto> {
    const confirmed = await this.twoFactor.confirm(actorOf(user, req), field(body, 'code'));
    return {
      ...this.statusOf(user, await this.twoFactor.status(user.id)),
      recovery_codes: confirmed.recoveryCodes,
      ...(confirmed.session ? answerSession(res, confirmed.session, this.cookies) : {}),
    };
  }

  /** New recovery codes, answered once; the old ones stop working. */
  @Post(['users/me/two_factor/recovery_codes.json', 'users/me/two_factor/recovery_codes'])
  @ApiOperation({ summary: 'Replace the recovery codes (needs a recent password)' })
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @RequirePermission('users.me')
  @RequireRecentAuthentication()
  @ApiOkResponse({ description: 'The new codes', schema: ref('RecoveryCodes') })
  @ApiErrors(422)
  async regenerateRecoveryCodes(
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() req: Request,
  ): Promise<RecoveryCodesDto> {
    return { recovery_codes: await this.twoFactor.regenerateRecoveryCodes(actorOf(user, req)) };
  }

  /** Removes the signed-in user's second factor. */
  @Delete(['users/me/two_factor.json', 'users/me/two_factor'])
  @ApiOperation({
    summary: "Remove the signed-in user's two-factor authentication (needs a recent password)",
  })
  @HttpCode(204)
  @RequirePermission('users.me')
  @RequireRecentAuthentication()
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(422)
  async remove(@CurrentUser() user: Readonly<UserEntity>, @Req() req: Request): Promise<void> {
    await this.twoFactor.remove(actorOf(user, req), user);
  }

  /** An admin removes another user's second factor (a lost authenticator). Audited. */
  @Delete(['users/:id/two_factor.json', 'users/:id/two_factor'])
  @ApiOperation({
    summary: "Reset a user's two-factor authentication (admins; needs a recent password)",
  })
  @HttpCode(204)
  @RequirePermission('users.manage')
  @RequireRecentAuthentication()
  @ApiRecordId('id', 'The user')
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(404, 422)
  async reset(
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() req: Request,
  ): Promise<void> {
    await this.twoFactor.resetByAdmin(actorOf(user, req), recordId(id));
  }

  private statusOf(user: Readonly<UserEntity>, status: TwoFactorStatus): TwoFactorStatusDto {
    return {
      two_factor: {
        enabled: status.enabled,
        enabled_at: status.enabledAt?.toISOString() ?? null,
        pending: status.pending,
        recovery_codes_left: status.recoveryCodesLeft,
        required: this.twoFactor.isRequiredFor(user),
      },
    };
  }
}

function actorOf(user: Readonly<UserEntity>, req: Request): TwoFactorActor {
  return { user, session: currentSessionOf(req), context: contextOf(req) };
}
