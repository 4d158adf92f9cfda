import type { UserEntity } from '@steward/identity';
import type { TicketActor } from '@steward/tickets';
import type { Request } from 'express';

/** API calls (an Authorization header) come `via` api; the web app's cookie calls via web. */
export function ticketActor(user: Readonly<UserEntity>, request: Request): TicketActor {
  return { user, via: request.headers.authorization === undefined ? 'web' : 'api' };
}
