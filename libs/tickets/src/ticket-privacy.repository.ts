import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In } from 'typeorm';
import { TicketAttachmentEntity } from './attachment.entity';
import { TicketAuditEntity, TicketAuditEventEntity } from './ticket-audit.entity';
import { TicketCollaboratorEntity } from './ticket-collaborator.entity';
import { TicketCommentEntity } from './ticket-comment.entity';
import { TicketFieldValueEntity } from './ticket-field.entity';
import { TicketTagEntity } from './ticket-tag.entity';
import { TicketEntity } from './ticket.entity';
import { ViewEntity } from './view.entity';
import { cellOf, TicketCounts } from './ticket-counts';

/** `%term%` for LIKE with `!` as the escape character, lower case. */
function containing(term: string): string {
  return `%${term.toLowerCase().replace(/[!%_]/g, (ch) => `!${ch}`)}%`;
}

/** The queries of the tickets' personal data contributor: by person, never on the hot path. */
@Injectable()
export class TicketPrivacyRepository {
  constructor(
    private readonly db: Database,
    private readonly counts: TicketCounts,
  ) {}

  /** Ids of the tickets these users requested, are copied on or follow, or commented on. */
  async ticketIdsInvolving(userIds: readonly number[]): Promise<number[]> {
    if (userIds.length === 0) return [];
    const ids = [...userIds];
    return this.db.run(async (m) => {
      const requested = await m.find(TicketEntity, {
        select: { id: true },
        where: { requesterId: In(ids) },
      });
      const collaborating = await m.find(TicketCollaboratorEntity, {
        select: { ticketId: true },
        where: { userId: In(ids) },
      });
      const commented = await m
        .createQueryBuilder(TicketCommentEntity, 'c')
        .select('DISTINCT c.ticket_id', 'ticketId')
        .where('c.author_id IN (:...ids)', { ids })
        .getRawMany<{ ticketId: number }>();
      return [
        ...new Set([
          ...requested.map((t) => t.id),
          ...collaborating.map((c) => c.ticketId),
          ...commented.map((c) => Number(c.ticketId)),
        ]),
      ].sort((a, b) => a - b);
    });
  }

  tickets(ids: readonly number[]): Promise<TicketEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(TicketEntity, { where: { id: In([...ids]) }, order: { id: 'ASC' } }),
    );
  }

  commentsOf(ticketIds: readonly number[]): Promise<TicketCommentEntity[]> {
    if (ticketIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(TicketCommentEntity, {
        where: { ticketId: In([...ticketIds]) },
        order: { ticketId: 'ASC', id: 'ASC' },
      }),
    );
  }

  collaboratorsOf(ticketIds: readonly number[]): Promise<TicketCollaboratorEntity[]> {
    if (ticketIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(TicketCollaboratorEntity, { where: { ticketId: In([...ticketIds]) } }),
    );
  }

  /** The audits these users authored, with their events. */
  async auditsBy(
    userIds: readonly number[],
  ): Promise<Array<{ audit: TicketAuditEntity; events: TicketAuditEventEntity[] }>> {
    if (userIds.length === 0) return [];
    return this.db.run(async (m) => {
      const audits = await m.find(TicketAuditEntity, {
        where: { authorId: In([...userIds]) },
        order: { id: 'ASC' },
      });
      if (audits.length === 0) return [];
      const events = await m.find(TicketAuditEventEntity, {
        where: { auditId: In(audits.map((a) => a.id)) },
        order: { id: 'ASC' },
      });
      return audits.map((audit) => ({
        audit,
        events: events.filter((e) => e.auditId === audit.id),
      }));
    });
  }

  /** Comments by others that mention one of these terms (email addresses). */
  commentsMentioning(
    terms: readonly string[],
    excludeAuthors: readonly number[],
  ): Promise<TicketCommentEntity[]> {
    if (terms.length === 0) return Promise.resolve([]);
    return this.db.run((m) => {
      const query = m.createQueryBuilder(TicketCommentEntity, 'c');
      query.where(
        `(${terms.map((_, i) => `LOWER(c.body) LIKE :t${i} ESCAPE '!' OR LOWER(c.html_body) LIKE :t${i} ESCAPE '!'`).join(' OR ')})`,
        Object.fromEntries(terms.map((term, i) => [`t${i}`, containing(term)])),
      );
      if (excludeAuthors.length > 0) {
        query.andWhere('c.author_id NOT IN (:...authors)', { authors: [...excludeAuthors] });
      }
      return query.orderBy('c.id', 'ASC').getMany();
    });
  }

  /** Empties the bodies of every comment these users wrote; returns how many. */
  async emptyCommentsBy(userIds: readonly number[]): Promise<number> {
    if (userIds.length === 0) return 0;
    const result = await this.db.run((m) =>
      m.update(TicketCommentEntity, { authorId: In([...userIds]) }, { body: '', htmlBody: '' }),
    );
    return result.affected ?? 0;
  }

  async updateComment(id: number, body: string, htmlBody: string): Promise<void> {
    await this.db.run((m) => m.update(TicketCommentEntity, { id }, { body, htmlBody }));
  }

  /**
   * Replaces the subject and external id of the tickets these users requested, and the subject
   * values recorded in those tickets' audits; returns how many tickets.
   */
  async anonymiseRequested(userIds: readonly number[], subject: string): Promise<number> {
    if (userIds.length === 0) return 0;
    return this.db.run(async (m) => {
      const tickets = await m.find(TicketEntity, {
        select: { id: true },
        where: { requesterId: In([...userIds]) },
      });
      if (tickets.length === 0) return 0;
      const ids = tickets.map((t) => t.id);
      await m.update(TicketEntity, { id: In(ids) }, { subject, externalId: null });
      const audits = await m.find(TicketAuditEntity, {
        select: { id: true },
        where: { ticketId: In(ids) },
      });
      if (audits.length > 0) {
        await m.update(
          TicketAuditEventEntity,
          { auditId: In(audits.map((a) => a.id)), fieldName: In(['subject', 'external_id']) },
          { value: null, previousValue: null },
        );
      }
      return ids.length;
    });
  }

  /** The files these users uploaded, attached to a comment or not. */
  attachmentsUploadedBy(userIds: readonly number[]): Promise<TicketAttachmentEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(TicketAttachmentEntity, {
        where: { uploaderId: In([...userIds]) },
        order: { id: 'ASC' },
      }),
    );
  }

  /** Appends `note` (as a paragraph) to each of these comments, once per comment. */
  async noteRemovedAttachments(commentIds: readonly number[], note: string): Promise<void> {
    const unique = [...new Set(commentIds)];
    if (unique.length === 0) return;
    await this.db.run(async (m) => {
      const comments = await m.find(TicketCommentEntity, { where: { id: In(unique) } });
      for (const comment of comments) {
        await m.update(
          TicketCommentEntity,
          { id: comment.id },
          {
            body: comment.body === '' ? note : `${comment.body}\n\n${note}`,
            htmlBody: `${comment.htmlBody}<p>${note}</p>`,
          },
        );
      }
    });
  }

  async deleteAttachments(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.run((m) => m.delete(TicketAttachmentEntity, { id: In([...ids]) }));
  }

  async deleteCollaborations(userIds: readonly number[]): Promise<number> {
    if (userIds.length === 0) return 0;
    const result = await this.db.run((m) =>
      m.delete(TicketCollaboratorEntity, { userId: In([...userIds]) }),
    );
    return result.affected ?? 0;
  }

  /** The personal views (restricted to one user) of these users. */
  personalViewsOf(userIds: readonly number[]): Promise<ViewEntity[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(ViewEntity, {
        where: { restrictionType: 'User', restrictionId: In([...userIds]) },
        order: { id: 'ASC' },
      }),
    );
  }

  /**
   * The tickets these users are the sole requester of (see SOLE_REQUESTER in ticket.contributor):
   * requested by one of them, nobody else CC'd, no comment by another end-user, not filed by
   * another end-user, and no incident linked to it (a problem other tickets point at).
   */
  async soleRequestedTicketIds(userIds: readonly number[]): Promise<number[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db.run((m) =>
      m
        .createQueryBuilder(TicketEntity, 't')
        .select('t.id', 'id')
        .where('t.requester_id IN (:...subjects)')
        .andWhere(
          'NOT EXISTS (SELECT 1 FROM ticket_collaborators cc WHERE cc.ticket_id = t.id ' +
            'AND cc.kind = :cc AND cc.user_id NOT IN (:...subjects))',
        )
        .andWhere(
          'NOT EXISTS (SELECT 1 FROM ticket_comments c INNER JOIN users u ON u.id = c.author_id ' +
            'WHERE c.ticket_id = t.id AND c.author_id NOT IN (:...subjects) AND u.role = :endUser)',
        )
        .andWhere(
          '(t.submitter_id IN (:...subjects) OR NOT EXISTS ' +
            '(SELECT 1 FROM users s WHERE s.id = t.submitter_id AND s.role = :endUser))',
        )
        .andWhere('NOT EXISTS (SELECT 1 FROM tickets i WHERE i.problem_id = t.id)')
        .setParameters({ subjects: [...userIds], cc: 'cc', endUser: 'end-user' })
        .orderBy('t.id', 'ASC')
        .getRawMany<{ id: number }>(),
    );
    return rows.map((row) => Number(row.id));
  }

  /** The files attached to these tickets' comments, whoever uploaded them. */
  attachmentsOfTickets(ticketIds: readonly number[]): Promise<TicketAttachmentEntity[]> {
    if (ticketIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(TicketAttachmentEntity, {
        where: { ticketId: In([...ticketIds]) },
        order: { id: 'ASC' },
      }),
    );
  }

  /**
   * Deletes these tickets with everything that hangs on them: attachment rows, audits and their
   * events, comments, CCs and followers, tags and custom field values. The blobs and the search
   * index are the caller's. Returns how many comments went.
   */
  async deleteTickets(ticketIds: readonly number[]): Promise<{ comments: number }> {
    if (ticketIds.length === 0) return { comments: 0 };
    const ids = [...ticketIds];
    return this.db.transaction(async (m) => {
      const counted = await m.find(TicketEntity, {
        select: { id: true, status: true, groupId: true, assigneeId: true, deletedAt: true },
        where: { id: In(ids) },
      });
      for (const ticket of counted) this.counts.move(cellOf(ticket), null);
      await m.delete(TicketAttachmentEntity, { ticketId: In(ids) });
      const audits = await m.find(TicketAuditEntity, {
        select: { id: true },
        where: { ticketId: In(ids) },
      });
      if (audits.length > 0) {
        await m.delete(TicketAuditEventEntity, { auditId: In(audits.map((a) => a.id)) });
        await m.delete(TicketAuditEntity, { id: In(audits.map((a) => a.id)) });
      }
      const comments = await m.delete(TicketCommentEntity, { ticketId: In(ids) });
      await m.delete(TicketCollaboratorEntity, { ticketId: In(ids) });
      await m.delete(TicketTagEntity, { ticketId: In(ids) });
      await m.delete(TicketFieldValueEntity, { ticketId: In(ids) });
      await m.delete(TicketEntity, { id: In(ids) });
      return { comments: comments.affected ?? 0 };
    });
  }

  async deletePersonalViews(userIds: readonly number[]): Promise<number> {
    if (userIds.length === 0) return 0;
    const result = await this.db.run((m) =>
      m.delete(ViewEntity, { restrictionType: 'User', restrictionId: In([...userIds]) }),
    );
    return result.affected ?? 0;
  }
}
