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
  type SessionContext,
  SignInError,
  SignInService,
} from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { Public, RequirePermission } from '@steward/runtime';
import type { Request, Response } from 'express';
import { clearSessionCookies, type CookieOptions, setSessionCookies } from './cookies';
import { AllowedWhilePasswordMustChange, CurrentSession, SameOriginOnly } from './current-session';
import { SignInThrottledFilter } from './sign-in-throttled.filter';

export interface SessionResponseDto {
  session: { user_id: number; expires_at: string; must_change_password: boolean };
  /** Echo it in X-CSRF-Token on every POST, PUT, PATCH and DELETE made with the cookie. */
  csrf_token: string;
}

/** A field of a JSON or form body that must be a non-empty string. */
function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | null | undefined)?.[name];
  if (typeof value !== 'string' || value === '') throw SignInError.missing(name);
  return value;
}

function contextOf(req: Request): SessionContext {
  return { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null };
}

/** Steward's own web sign-in: `POST /api/v2/session` opens a cookie session. */
@Controller('api/v2/session')
@UseFilters(SignInThrottledFilter)
export class SessionController {
  private readonly cookies: CookieOptions;

  constructor(
    private readonly signIns: SignInService,
    private readonly resets: PasswordResetService,
    @Inject(STEWARD_CONFIG) config: StewardConfig,
  ) {
    this.cookies = {
      secure: config.publicUrl.startsWith('https:'),
      maxAgeSeconds: Math.floor(config.session.absoluteTimeoutMs / 1000),
    };
  }

  /** Sign in with `{ "email", "password" }` (JSON or form); sets the session and CSRF cookies. */
  @Post()
  @HttpCode(200)
  @Public()
  @SameOriginOnly()
  async signIn(
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionResponseDto> {
    return this.answer(
      res,
      await this.signIns.signIn({
        email: field(body, 'email'),
        password: field(body, 'password'),
        ...contextOf(req),
      }),
    );
  }

  /** Change the password (`{ "current_password", "password" }`); opens a new session. */
  @Post('password')
  @HttpCode(200)
  @RequirePermission('users.me')
  @AllowedWhilePasswordMustChange()
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
  async requestPasswordReset(@Body() body: unknown, @Req() req: Request): Promise<void> {
    await this.resets.request(field(body, 'email'), contextOf(req));
  }

  /** Set a new password with a reset token (`{ "token", "password" }`); ends every session. */
  @Post('password_reset/confirm')
  @HttpCode(204)
  @Public()
  @SameOriginOnly()
  async confirmPasswordReset(@Body() body: unknown, @Req() req: Request): Promise<void> {
    await this.resets.confirm(field(body, 'token'), field(body, 'password'), contextOf(req));
  }

  private answer(res: Response, opened: OpenedSession): SessionResponseDto {
    setSessionCookies(res, opened, this.cookies);
    return {
      session: {
        user_id: opened.userId,
        expires_at: opened.expiresAt.toISOString(),
        must_change_password: opened.mustChangePassword,
      },
      csrf_token: opened.csrfToken,
    };
  }
}
