import { SetMetadata } from '@nestjs/common';
import type { Permission } from '@steward/identity';

export const REQUIRED_PERMISSION = 'steward:required-permission';

/**
 * The route needs an authenticated user whom the policy grants `permission`. Every route says
 * this or `@Public()`; the server refuses a route that says neither.
 */
export const RequirePermission = (permission: Permission): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_PERMISSION, permission);
