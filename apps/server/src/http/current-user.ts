import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { UserEntity } from '@steward/identity';
import { ErrorCode, StewardError } from '@steward/platform';

/** The authenticated user of each request, set by the AuthGuard. */
const users = new WeakMap<object, Readonly<UserEntity>>();

export function setCurrentUser(request: object, user: Readonly<UserEntity>): void {
  users.set(request, user);
}

export function currentUserOf(request: object): Readonly<UserEntity> | undefined {
  return users.get(request);
}

/** The authenticated user, as a route handler parameter: `me(@CurrentUser() user)`. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Readonly<UserEntity> => {
    const user = currentUserOf(context.switchToHttp().getRequest<object>());
    // Only reachable on a public route that asks for a user: refuse rather than guess.
    if (!user) throw new StewardError(ErrorCode.Unauthenticated, '');
    return user;
  },
);
