import { Injectable } from '@nestjs/common';
import { PolicyService, type UserEntity } from '@steward/identity';
import { Clock, ErrorCode, StewardError } from '@steward/platform';
import { type ExportPosition, TicketRepository } from './ticket.repository';
import { TicketService, type TicketView } from './ticket.service';

/** The largest page of an incremental export (Zendesk's). */
export const MAX_EXPORT_PAGE = 1000;

/**
 * Changes younger than this are left for a later request, as Zendesk leaves out the last
 * minute: a ticket's `updated_at` is set when its change starts, so a change still committing
 * (or made on a server whose clock runs a little behind) would otherwise land behind a position
 * the client has already passed, and never be exported.
 */
export const EXPORT_SETTLE_MS = 60_000;

const SECOND = 1000;

/** A page of the cursor-based export, and where the next one starts. */
export interface ExportPage {
  readonly tickets: readonly TicketView[];
  /** Just after the page's last ticket; where it started when the page is empty. */
  readonly after: ExportPosition;
  /** No more tickets have changed, for now. */
  readonly endOfStream: boolean;
}

/** A page of the time-based export. */
export interface ExportTimePage {
  readonly tickets: readonly TicketView[];
  /** The next page's start time (Unix seconds); it may repeat tickets of its second. */
  readonly endTime: number;
  readonly endOfStream: boolean;
}

/**
 * Zendesk's incremental ticket export: every ticket that changed since a point in time, in the
 * order they changed, deleted ones with them, for admins who copy Steward's tickets into
 * another system. The ticket scope applies, so confidential groups the caller is not in stay
 * out. Tickets come without comments, as in Zendesk.
 */
@Injectable()
export class TicketExportService {
  constructor(
    private readonly tickets: TicketService,
    private readonly repository: TicketRepository,
    private readonly policy: PolicyService,
    private readonly clock: Clock,
  ) {}

  /** The cursor-based export: up to `perPage` tickets after `after`. */
  async page(
    user: Readonly<UserEntity>,
    after: ExportPosition,
    perPage: number,
  ): Promise<ExportPage> {
    this.requireExport(user);
    const limit = Math.min(perPage, MAX_EXPORT_PAGE);
    const rows = await this.repository.changedSince(
      await this.tickets.scopeOf(user),
      after,
      this.settled(),
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      tickets: await this.tickets.views(page),
      after: last ? { updatedAt: last.updatedAt, id: last.id } : after,
      endOfStream: rows.length <= limit,
    };
  }

  /**
   * The time-based export: tickets changed at or after `startTime` (Unix seconds), up to
   * `perPage`. A page ends on a whole second, so that the next one can start there without
   * missing or repeating a ticket; one whose tickets all changed within one second holds all of
   * that second's tickets, however many. The last page ends at the settled time.
   */
  async since(
    user: Readonly<UserEntity>,
    startTime: number,
    perPage: number,
  ): Promise<ExportTimePage> {
    this.requireExport(user);
    const limit = Math.min(perPage, MAX_EXPORT_PAGE);
    const scope = await this.tickets.scopeOf(user);
    const until = this.settled();
    const rows = await this.repository.changedSince(
      scope,
      exportStartOf(startTime),
      until,
      limit + 1,
    );
    if (rows.length <= limit) {
      const endTime = Math.max(startTime, Math.floor(until.getTime() / SECOND));
      return { tickets: await this.tickets.views(rows), endTime, endOfStream: true };
    }
    const lastSecond = secondOf(rows[limit - 1]);
    if (secondOf(rows[0]) < lastSecond) {
      const page = rows.slice(0, limit).filter((row) => secondOf(row) < lastSecond);
      return { tickets: await this.tickets.views(page), endTime: lastSecond, endOfStream: false };
    }
    // A second the settled time falls in may still gain tickets: it ends the stream, for now.
    const endOfSecond = new Date((lastSecond + 1) * SECOND - 1);
    const settled = endOfSecond <= until;
    const whole = await this.repository.changedSince(
      scope,
      exportStartOf(lastSecond),
      settled ? endOfSecond : until,
    );
    return {
      tickets: await this.tickets.views(whole),
      endTime: settled ? lastSecond + 1 : lastSecond,
      endOfStream: !settled,
    };
  }

  /** The latest change an export may show now. */
  private settled(): Date {
    return new Date(this.clock.now().getTime() - EXPORT_SETTLE_MS);
  }

  private requireExport(user: Readonly<UserEntity>): void {
    if (!this.policy.can(user, 'tickets.export')) {
      throw new StewardError(ErrorCode.Forbidden, 'You do not have access to the ticket export');
    }
  }
}

/** Where an export from this time (Unix seconds) starts: before its first ticket. */
export function exportStartOf(startTime: number): ExportPosition {
  return { updatedAt: new Date(startTime * SECOND), id: 0 };
}

function secondOf(row: { readonly updatedAt: Date }): number {
  return Math.floor(row.updatedAt.getTime() / SECOND);
}
