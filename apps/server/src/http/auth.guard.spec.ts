import { Controller, type ExecutionContext, Get, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiTokenService, SessionService, UserEntity } from '@steward/identity';
import { PolicyService } from '@steward/identity';
import { ErrorCode, type StewardConfig } from '@steward/platform';
import { Public, RequirePermission } from '@steward/runtime';
import { AuthGuard, WWW_AUTHENTICATE } from './auth.guard';
import { currentUserOf } from './current-user';

const TOKEN = `stw_${'k'.repeat(43)}`;
const endUser = {
  id: 7,
  email: 'eve@example.com',
  role: 'end-user',
  active: true,
  erasedAt: null,
} as UserEntity;

@Controller('examples')
class ExampleController {
  @Get('open')
  @Public()
  open(): void {}

  @Get('me')
  @RequirePermission('users.me')
  me(): void {}

  @Get('others')
  @RequirePermission('users.read')
  others(): void {}

  @Get('forgotten')
  forgotten(): void {}
}

@Controller('public')
@Public()
class PublicController {
  @Get('mostly')
  mostly(): void {}

  @Get('except')
  @RequirePermission('users.me')
  except(): void {}
}

const tokens = {
  authenticate: (token: string) => Promise.resolve(token === TOKEN ? endUser : undefined),
  authenticateBasic: () => Promise.resolve(undefined),
} as unknown as ApiTokenService;

function context(
  controller: new () => object,
  method: string,
  authorization?: string,
): { context: ExecutionContext; request: object; headers: Record<string, string> } {
  const request = { headers: { authorization } };
  const headers: Record<string, string> = {};
  const response = { setHeader: (name: string, value: string) => (headers[name] = value) };
  const handler = (controller.prototype as Record<string, () => void>)[method];
  const http = { getRequest: () => request, getResponse: () => response };
  const ctx = {
    getType: () => 'http',
    getClass: () => controller,
    getHandler: () => handler,
    switchToHttp: () => http,
  } as unknown as ExecutionContext;
  return { context: ctx, request, headers };
}

describe('AuthGuard', () => {
  // Requests here carry no session cookie (cookie sessions: auth.e2e-spec.ts).
  const sessions = { authenticate: () => Promise.resolve(undefined) } as unknown as SessionService;
  const config = { publicUrl: 'http://localhost:3000' } as StewardConfig;
  const guard = new AuthGuard(new Reflector(), tokens, new PolicyService(), sessions, config);

  afterEach(() => jest.restoreAllMocks());

  it('lets a @Public() route through without credentials', async () => {
    await expect(guard.canActivate(context(ExampleController, 'open').context)).resolves.toBe(true);
    await expect(guard.canActivate(context(PublicController, 'mostly').context)).resolves.toBe(
      true,
    );
  });

  it('refuses a route that declares neither @Public() nor @RequirePermission() with 403, and logs a warning', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { context: ctx } = context(ExampleController, 'forgotten', `Bearer ${TOKEN}`);
    await expect(guard.canActivate(ctx)).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('ExampleController.forgotten declares neither'),
    );
  });

  it("lets a method's permission win over its controller's @Public()", async () => {
    const { context: ctx, headers } = context(PublicController, 'except');
    await expect(guard.canActivate(ctx)).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
    });
    expect(headers['WWW-Authenticate']).toBe(WWW_AUTHENTICATE);
  });

  it('answers 401 with an empty message and a challenge when the token is unknown', async () => {
    const { context: ctx, headers } = context(ExampleController, 'me', 'Bearer stw_nope');
    await expect(guard.canActivate(ctx)).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
      message: '',
    });
    expect(headers['WWW-Authenticate']).toBe(WWW_AUTHENTICATE);
  });

  it('attaches the user when the policy grants the permission', async () => {
    const { context: ctx, request } = context(ExampleController, 'me', `Bearer ${TOKEN}`);
    await expect(guard.canActivate(ctx)).resolves.toBe(true);
    expect(currentUserOf(request)).toBe(endUser);
  });

  it('answers 403 when the policy does not grant the permission', async () => {
    const { context: ctx, request } = context(ExampleController, 'others', `Bearer ${TOKEN}`);
    await expect(guard.canActivate(ctx)).rejects.toMatchObject({ code: ErrorCode.Forbidden });
    expect(currentUserOf(request)).toBeUndefined();
  });
});
