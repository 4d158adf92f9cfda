import {
  Body,
  Controller,
  Delete,
  HttpCode,
  Inject,
  Post,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import {
  type ActiveSession,
  type OpenedSession,
  PasswordResetService,
  SignInService,
} from '@steward/identity';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { Public, RequirePermission } from '@steward/runtime';
import type { Request, Response } from 'express';
import { contextOf, field, optionalField } from './auth-body';
import { clearSessionCookies, type CookieOptions, setSessionCookies } from './cookies';
import {
  AllowedWhilePasswordMustChange,
  AllowedWhileTwoFactorEnrolment,
  AllowedWhileTwoFactorPending,
  CurrentSession,
  SameOriginOnly,
} from './current-session';
import { PasswordSignIn } from './password-sign-in';
import { SignInThrottledFilter } from './sign-in-throttled.filter';

export interface SessionResponseDto {
  session: {
    user_id: number;
    expires_at: string;
    must_change_password: boolean;
    /** Present (true) when the session owes a second-factor code: POST /session/two_factor. */
    two_factor_required?: true;
    /** Present (true) when the policy requires two-factor and the user must enrol first. */
    two_factor_enrolment_required?: true;
  };
  /** Echo it in X-CSRF-Token on every POST, PUT, PATCH and DELETE made with the cookie. */
  csrf_token: string;
}

export interface ReauthenticationResponseDto {
  session: { user_id: number; authenticated_at: string; reauthentication_expires_at: string };
}

/** The body of a session just opened or rotated; sets its cookies on the response. */
export function answerSession(
  res: Response,
  opened: OpenedSession,
  cookies: CookieOptions,
): SessionResponseDto {
  setSessionCookies(res, opened, cookies);
  return {
    session: {
      user_id: opened.userId,
      expires_at: opened.expiresAt.toISOString(),
      must_change_password: opened.mustChangePassword,
      ...(opened.pendingStep === 'two_factor' ? { two_factor_required: true } : {}),
      ...(opened.pendingStep === 'two_factor_enrolment'
        ? { two_factor_enrolment_required: true }
        : {}),
    },
    csrf_token: opened.csrfToken,
  };
}

/** The cookie settings of this installation (Secure behind https, the session's lifetime). */
export function cookieOptions(config: StewardConfig): CookieOptions {
  return {
    secure: config.publicUrl.startsWith('https:'),
    maxAgeSeconds: Math.floor(config.session.absoluteTimeoutMs / 1000),
  };
}

/** Steward's own web sign-in: `POST /api/v2/session` opens a cookie session. */
@ApiTags('Session')
@Controller('api/v2/session')
@UseFilters(SignInThrottledFilter)
export class SessionController {
  private readonly cookies: CookieOptions;

  constructor(
    private readonly signIns: SignInService,
    private readonly passwords: PasswordSignIn,
    private readonly resets: PasswordResetService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {
    this.cookies = cookieOptions(config);
  }

  /**
   * Sign in with `{ "email", "password" }` (JSON or form); sets the session and CSRF cookies.
   * A user with two-factor gets a session that owes the code (`two_factor_required`).
   */
  @Post()
  @HttpCode(200)
  @Public()
  @SameOriginOnly()
  @ApiOperation({ summary: 'Sign in with email and password; sets the session cookie' })
  @ApiBody({ schema: ref('SignInRequest') })
  @ApiOkResponse({ description: 'The session', schema: ref('Session') })
  @ApiErrors(400, 422, 429)
  async signIn(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionResponseDto> {
    return this.answer(res, await this.passwords.signIn(req, res));
  }

  /**
   * The second step of signing in with two-factor: `{ "code" }`, a TOTP code or a recovery
   * code. Replaces the session (new session and CSRF cookies) with a full one.
   */
  @Post('two_factor')
  @ApiOperation({ summary: 'Give the two-factor code after the password; rotates the session' })
  @HttpCode(200)
  @RequirePermission('users.me')
  @AllowedWhileTwoFactorPending()
  @AllowedWhilePasswordMustChange()
  @ApiBody({ schema: ref('TwoFactorCodeRequest') })
  @ApiOkResponse({ description: 'The new, full session', schema: ref('Session') })
  @ApiErrors(400, 422, 429)
  async completeTwoFactor(
    @CurrentSession() session: ActiveSession,
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionResponseDto> {
    return this.answer(
      res,
      await this.signIns.completeTwoFactor(session, field(body, 'code'), contextOf(req)),
    );
  }

  /**
   * Prove the password again (`{ "password", "code" }`, the code when two-factor is on) before
   * a sensitive action; it counts for STEWARD_REAUTH_WINDOW.
   */
  @Post('reauthenticate')
  @ApiOperation({
    summary: 'Prove the password (and two-factor code) again before a sensitive action',
  })
  @HttpCode(200)
  @RequirePermission('users.me')
  @ApiBody({ schema: ref('ReauthenticationRequest') })
  @ApiOkResponse({ description: 'Re-authenticated', schema: ref('Reauthentication') })
  @ApiErrors(400, 422, 429)
  async reauthenticate(
    @CurrentSession() session: ActiveSession,
    @Body() body: unknown,
    @Req() req: Request,
  ): Promise<ReauthenticationResponseDto> {
    const at = await this.signIns.reauthenticate(
      session,
      field(body, 'password'),
      optionalField(body, 'code'),
      contextOf(req),
    );
    const until = new Date(at.getTime() + this.config.twoFactor.reauthenticationWindowMs);
    return {
      session: {
        user_id: session.user.id,
        authenticated_at: at.toISOString(),
        reauthentication_expires_at: until.toISOString(),
      },
    };
  }

  /** Change the password (`{ "current_password", "password" }`); opens a new session. */
  @Post('password')
  @HttpCode(200)
  @RequirePermission('users.me')
  @AllowedWhilePasswordMustChange()
  @AllowedWhileTwoFactorEnrolment()
  @ApiOperation({ summary: 'Change the password; ends every other session' })
  @ApiBody({ schema: ref('PasswordChangeRequest') })
  @ApiOkResponse({ description: 'A new session', schema: ref('Session') })
  @ApiErrors(400, 422, 429)
  async changePassword(
    @CurrentSession() session: ActiveSession,
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionResponseDto> {
    return this.answer(
      res,
      await this.signIns.changePassword(
        session,
        field(body, 'current_password'),
        field(body, 'password'),
        contextOf(req),
      ),
    );
  }

  /** Sign out: ends this session and clears the cookies. */
  @Delete()
  @HttpCode(204)
  @RequirePermission('users.me')
  @AllowedWhilePasswordMustChange()
  @AllowedWhileTwoFactorPending()
  @AllowedWhileTwoFactorEnrolment()
  @ApiOperation({ summary: 'Sign out: end this session' })
  @ApiNoContentResponse({ description: 'Signed out; the cookies are cleared' })
  async signOut(
    @CurrentSession() session: ActiveSession,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.signIns
      .signOut(session, contextOf(req))
      .then(() => clearSessionCookies(res, this.cookies));
  }

  /** Ends every session of the signed-in user, this one included. */
  @Post('sign_out_everywhere')
  @HttpCode(204)
  @RequirePermission('users.me')
  @ApiOperation({ summary: 'Sign out everywhere: end every session of the user' })
  @ApiNoContentResponse({ description: 'Signed out everywhere' })
  async signOutEverywhere(
    @CurrentSession() session: ActiveSession,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.signIns
      .signOutEverywhere(session, contextOf(req))
      .then(() => clearSessionCookies(res, this.cookies));
  }

  /** Ask for a password reset (`{ "email" }`): always 202, whether or not the account exists. */
  @Post('password_reset')
  @HttpCode(202)
  @Public()
  @SameOriginOnly()
  @ApiOperation({ summary: 'Ask for a password reset link (always 202)' })
  @ApiBody({ schema: ref('PasswordResetRequest') })
  @ApiAcceptedResponse({ description: 'Accepted, whether or not the account exists' })
  @ApiErrors(400)
  async requestPasswordReset(@Body() body: unknown, @Req() req: Request): Promise<void> {
    await this.resets.request(field(body, 'email'), contextOf(req));
  }

  /** Set a new password with a reset token (`{ "token", "password" }`); ends every session. */
  @Post('password_reset/confirm')
  @HttpCode(204)
  @Public()
  @SameOriginOnly()
  @ApiOperation({ summary: 'Set a new password with a reset token; ends every session' })
  @ApiBody({ schema: ref('PasswordResetConfirmRequest') })
  @ApiNoContentResponse({ description: 'The password was changed' })
  @ApiErrors(400, 422)
  async confirmPasswordReset(@Body() body: unknown, @Req() req: Request): Promise<void> {
    await this.resets.confirm(field(body, 'token'), field(body, 'password'), contextOf(req));
  }

  private answer(res: Response, opened: OpenedSession): SessionResponseDto {
    return answerSession(res, opened, this.cookies);
  }
}
