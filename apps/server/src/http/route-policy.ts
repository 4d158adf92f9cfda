import type { Reflector } from '@nestjs/core';
import { IS_PUBLIC, REQUIRED_PERMISSION } from '@steward/runtime';

/** What a route declares: open to all, a permission, or (a programming error) nothing. */
export type RoutePolicy =
  | { readonly kind: 'public' }
  | { readonly kind: 'permission'; readonly permission: string }
  | { readonly kind: 'undeclared' };

/** A controller class or a handler method, as Nest's Reflector takes them. */
type Target = Parameters<Reflector['get']>[1];

/**
 * The policy of a route handler. The method's own declaration wins over its controller's, so
 * one route of a public controller may still require a permission, and the reverse.
 */
export function routePolicy(
  reflector: Reflector,
  handler: Target,
  controller: Target,
): RoutePolicy {
  for (const target of [handler, controller]) {
    const permission = reflector.get<unknown>(REQUIRED_PERMISSION, target);
    if (typeof permission === 'string') return { kind: 'permission', permission };
    if (reflector.get<unknown>(IS_PUBLIC, target) === true) return { kind: 'public' };
  }
  return { kind: 'undeclared' };
}
