import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import type { TicketScope } from './ticket-scope';
import { TicketEntity } from './ticket.entity';
import { scoped } from './ticket.repository';

/** The tickets linked to a ticket: a problem's incidents. */
@Injectable()
export class TicketRelationsRepository {
  constructor(private readonly db: Database) {}

  /** One page of the incidents of a problem inside the scope, by id, and how many in all. */
  incidents(
    scope: TicketScope,
    problemId: number,
    window: { offset: number; limit: number },
  ): Promise<[TicketEntity[], number]> {
    return this.db.run((m) =>
      scoped(m.createQueryBuilder(TicketEntity, 't'), scope)
        .andWhere('t.problem_id = :problemId', { problemId })
        .orderBy('t.id', 'ASC')
        .skip(window.offset)
        .take(window.limit)
        .getManyAndCount(),
    );
  }

  /** How many incidents of a problem are inside the scope. */
  incidentCount(scope: TicketScope, problemId: number): Promise<number> {
    return this.db.run((m) =>
      scoped(m.createQueryBuilder(TicketEntity, 't'), scope)
        .andWhere('t.problem_id = :problemId', { problemId })
        .getCount(),
    );
  }
}
