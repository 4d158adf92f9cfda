import { Inject, Injectable, Logger } from '@nestjs/common';
import { Database, DomainEvents } from '@steward/persistence';
import { Clock, STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { JobHandler, noPayload } from '@steward/queue';
import { changeEvent } from './ticket-audit-events';
import { TicketRepository } from './ticket.repository';
import type { TicketDomainEvent } from './ticket.events';

export const CLOSE_SOLVED_JOB = 'tickets.close_solved';
/** Tickets closed per transaction; a run goes on until none is due. */
export const CLOSE_BATCH = 200;
const DAY_MS = 86_400_000;

/**
 * The ticket lifecycle's scheduled part: solved tickets close STEWARD_TICKET_CLOSE_AFTER_DAYS
 * after they were solved, as Zendesk's default automation does. Each closure is a ticket audit
 * by Steward itself (no author, via `system`) and a `ticket.updated` event.
 */
@Injectable()
export class TicketLifecycleService {
  private readonly logger = new Logger('Tickets');

  constructor(
    private readonly tickets: TicketRepository,
    private readonly events: DomainEvents,
    private readonly db: Database,
    private readonly clock: Clock,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @JobHandler({ name: CLOSE_SOLVED_JOB, payload: noPayload, cron: '0 7 * * * *', attempts: 3 })
  async closeSolved(): Promise<number> {
    const cutoff = new Date(
      this.clock.now().getTime() - this.config.tickets.closeSolvedAfterDays * DAY_MS,
    );
    let closed = 0;
    for (;;) {
      const batch = await this.db.transaction(async () => {
        const due = await this.tickets.solvedBefore(cutoff, CLOSE_BATCH);
        const now = this.clock.now();
        for (const ticket of due) {
          await this.tickets.update(ticket.id, { status: 'closed', updatedAt: now });
          await this.tickets.insertAudit(
            { ticketId: ticket.id, authorId: null, viaChannel: 'system', createdAt: now },
            [changeEvent('Change', 'status', 'closed', 'solved')],
          );
          this.events.publish<TicketDomainEvent>({
            type: 'ticket.updated',
            ticketId: ticket.id,
            fields: ['status'],
          });
        }
        return due.length;
      });
      closed += batch;
      if (batch < CLOSE_BATCH) break;
    }
    if (closed > 0) this.logger.log(`closed ${closed} solved ticket(s)`);
    return closed;
  }
}
