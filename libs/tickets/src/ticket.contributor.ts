import { Inject, Injectable } from '@nestjs/common';
import { UserService } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import {
  type DataSubject,
  type ErasurePlanItem,
  type ErasureResult,
  type ExportPart,
  type PersonalDataContributor,
  PersonalDataContributorProvider,
  type Tombstone,
} from '@steward/privacy';
import { Database } from '@steward/persistence';
import { BlobStore } from '@steward/storage';
import { TicketAttachmentEntity } from './attachment.entity';
import { TicketAuditEntity, TicketAuditEventEntity } from './ticket-audit.entity';
import { TicketCollaboratorEntity } from './ticket-collaborator.entity';
import { TicketCommentEntity } from './ticket-comment.entity';
import { TicketPrivacyRepository } from './ticket-privacy.repository';
import { TicketSearchService } from './search.service';
import { TicketTagEntity } from './ticket-tag.entity';
import { TicketEntity } from './ticket.entity';
import { ViewEntity } from './view.entity';
import {
  CustomFieldOptionEntity,
  TicketFieldEntity,
  TicketFieldValueEntity,
} from './ticket-field.entity';
import { TicketFieldRepository } from './ticket-field.repository';
import { TicketCountEntity } from './ticket-count.entity';

const TICKETS = 'tickets';
const COMMENTS = 'ticket_comments';
const MENTIONS = 'ticket_comment_mentions';
const CHANGES = 'ticket_changes';
const COLLABORATIONS = 'ticket_collaborations';
const ATTACHMENTS = 'ticket_attachments';
const VIEWS = 'personal_views';
const FIELD_VALUES = 'ticket_field_values';

/** What a comment says in place of an attachment erased with its uploader. */
export const ATTACHMENT_REMOVED_NOTE = '[An attachment was removed]';

/** What replaces the subject of a ticket whose requester was erased. */
export const ERASED_SUBJECT = '[erased]';

/**
 * With STEWARD_ERASURE_TICKETS=delete, the tickets deleted outright: those the subject is the
 * sole requester of (TicketPrivacyRepository.soleRequestedTicketIds).
 */
export const SOLE_REQUESTER =
  "the subject requested it and nobody else is involved: nobody else CC'd, no comment by another end-user, not filed by another end-user, no incident linked to it";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The tickets' part of a data subject's export and erasure. Export: every ticket the subject
 * requested, is copied on or follows, or commented on — with all its comments (internal notes
 * flagged) — and every change they made. Erasure anonymises, keeping the desk's record: the
 * requester stays as the identity feature's tombstone, the subject's own comments lose their
 * bodies, the subjects of their tickets are replaced, their CC and follower entries go, and
 * their email addresses in others' comments become the tombstone's label. The files they
 * uploaded are exported as metadata and erased outright (blob and row); a comment that had one
 * keeps a note that it was removed. With STEWARD_ERASURE_TICKETS=delete, the tickets the subject
 * is the sole requester of (SOLE_REQUESTER) are deleted instead, with everything on them
 * (comments, changes, tags, CCs, custom field values, files and their blobs, search index
 * entries); tickets with other people keep the anonymising path.
 */
@Injectable()
@PersonalDataContributorProvider()
export class TicketContributor implements PersonalDataContributor {
  readonly name = 'tickets';
  readonly covers = [
    TicketEntity,
    TicketCommentEntity,
    TicketTagEntity,
    TicketCollaboratorEntity,
    TicketAuditEntity,
    TicketAuditEventEntity,
    TicketAttachmentEntity,
    ViewEntity,
    TicketFieldEntity,
    CustomFieldOptionEntity,
    TicketFieldValueEntity,
    // Counts per assignee: the id stays that of the user row, which erasure turns into the
    // tombstone, so the counts hold nothing more to export or erase.
    TicketCountEntity,
  ];

  constructor(
    private readonly privacy: TicketPrivacyRepository,
    private readonly users: UserService,
    private readonly db: Database,
    private readonly blobs: BlobStore,
    private readonly search: TicketSearchService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
    private readonly fields: TicketFieldRepository,
  ) {}

  async exportSubject(subject: DataSubject): Promise<ExportPart[]> {
    const userIds = await this.userIdsOf(subject);
    const ticketIds = await this.privacy.ticketIdsInvolving(userIds);
    const [tickets, comments, collaborators, audits, attachments, views] = await Promise.all([
      this.privacy.tickets(ticketIds),
      this.privacy.commentsOf(ticketIds),
      this.privacy.collaboratorsOf(ticketIds),
      this.privacy.auditsBy(userIds),
      this.privacy.attachmentsUploadedBy(userIds),
      this.privacy.personalViewsOf(userIds),
    ]);
    const mine = new Set(userIds);
    const customFields = await this.customFieldsOf(ticketIds);
    return [
      {
        category: TICKETS,
        schemaVersion: 1,
        records: tickets.map((t) => ({
          id: t.id,
          subject: t.subject,
          status: t.status,
          requestedBySubject: mine.has(t.requesterId),
          copiedOrFollowing: collaborators
            .filter((c) => c.ticketId === t.id && mine.has(c.userId))
            .map((c) => c.kind),
          createdAt: t.createdAt.toISOString(),
          updatedAt: t.updatedAt.toISOString(),
          customFields: customFields.get(t.id) ?? [],
          comments: comments
            .filter((c) => c.ticketId === t.id)
            .map((c) => ({
              id: c.id,
              writtenBySubject: mine.has(c.authorId),
              internalNote: !c.isPublic,
              body: c.body,
              createdAt: c.createdAt.toISOString(),
            })),
        })),
      },
      {
        category: CHANGES,
        schemaVersion: 1,
        records: audits.map(({ audit, events }) => ({
          ticketId: audit.ticketId,
          via: audit.viaChannel,
          createdAt: audit.createdAt.toISOString(),
          events: events.map((e) => ({
            type: e.type,
            field: e.fieldName,
            value: e.value,
            previousValue: e.previousValue,
          })),
        })),
      },
      {
        category: ATTACHMENTS,
        schemaVersion: 1,
        records: attachments.map((a) => ({
          id: a.id,
          ticketId: a.ticketId,
          commentId: a.commentId,
          fileName: a.fileName,
          contentType: a.contentType,
          size: a.size,
          sha256: a.sha256,
          createdAt: a.createdAt.toISOString(),
        })),
      },
      {
        category: VIEWS,
        schemaVersion: 1,
        records: views.map((v) => ({
          id: v.id,
          title: v.title,
          description: v.description,
          conditions: v.conditions,
          createdAt: v.createdAt.toISOString(),
        })),
      },
    ];
  }

  async planErasure(subject: DataSubject): Promise<ErasurePlanItem[]> {
    const userIds = await this.userIdsOf(subject);
    const [involved, allMentions, deletion] = await Promise.all([
      this.privacy.ticketIdsInvolving(userIds),
      this.privacy.commentsMentioning(emailsOf(subject), userIds),
      this.planDeletion(userIds),
    ]);
    const gone = new Set(deletion.ticketIds);
    const ticketIds = involved.filter((id) => !gone.has(id));
    const mentions = allMentions.filter((c) => !gone.has(c.ticketId));
    const tickets = await this.privacy.tickets(ticketIds);
    const comments = await this.privacy.commentsOf(ticketIds);
    const mine = new Set(userIds);
    return [
      ...deletion.items,
      {
        category: TICKETS,
        action: 'anonymise',
        count: tickets.filter((t) => mine.has(t.requesterId)).length,
        reason: `subject and external id replaced; the requester becomes the erased user's tombstone`,
      },
      {
        category: COMMENTS,
        action: 'anonymise',
        count: comments.filter((c) => mine.has(c.authorId)).length,
        reason: 'the bodies of the comments the subject wrote are removed',
      },
      {
        category: COLLABORATIONS,
        action: 'delete',
        count: (await this.privacy.collaboratorsOf(ticketIds)).filter((c) => mine.has(c.userId))
          .length,
      },
      {
        category: MENTIONS,
        action: 'anonymise',
        count: mentions.length,
        reason: "the subject's email addresses in others' comments are replaced by the tombstone",
      },
      {
        category: ATTACHMENTS,
        action: 'delete',
        count: (await this.privacy.attachmentsUploadedBy(userIds)).filter(
          (a) => a.ticketId === null || !gone.has(a.ticketId),
        ).length,
        reason: 'the files the subject uploaded are deleted; their comments note the removal',
      },
      {
        category: VIEWS,
        action: 'delete',
        count: (await this.privacy.personalViewsOf(userIds)).length,
      },
      {
        category: FIELD_VALUES,
        action: 'delete',
        count: (
          await this.fields.valuesOf(
            tickets.filter((t) => mine.has(t.requesterId)).map((t) => t.id),
          )
        ).length,
        reason: 'the custom field values of the tickets the subject requested are removed',
      },
    ];
  }

  async eraseSubject(subject: DataSubject, tombstone: Tombstone): Promise<ErasureResult[]> {
    const userIds = await this.userIdsOf(subject);
    const emails = emailsOf(subject);
    return this.db.transaction(async () => {
      const involved = await this.privacy.ticketIdsInvolving(userIds);
      const deleting = await this.deletableTicketIds(userIds);
      const deletedFiles = await this.privacy.attachmentsOfTickets(deleting);
      const deleted = await this.privacy.deleteTickets(deleting);
      const requested = (await this.privacy.tickets(involved))
        .filter((t) => userIds.includes(t.requesterId))
        .map((t) => t.id);
      const tickets = await this.privacy.anonymiseRequested(userIds, ERASED_SUBJECT);
      // Custom field values are what was typed about the request: they go with its subject.
      const fieldValues = await this.fields.deleteValuesOf(requested);
      await this.fields.blankValueEventsOf(requested);
      const comments = await this.privacy.emptyCommentsBy(userIds);
      const collaborations = await this.privacy.deleteCollaborations(userIds);
      const mentions = await this.privacy.commentsMentioning(emails, userIds);
      for (const comment of mentions) {
        await this.privacy.updateComment(
          comment.id,
          replaceAll(comment.body, emails, tombstone.label),
          replaceAll(comment.htmlBody, emails, tombstone.label),
        );
      }
      const attachments = await this.privacy.attachmentsUploadedBy(userIds);
      await this.privacy.noteRemovedAttachments(
        attachments.flatMap((a) => (a.commentId === null ? [] : [a.commentId])),
        ATTACHMENT_REMOVED_NOTE,
      );
      await this.privacy.deleteAttachments(attachments.map((a) => a.id));
      // The blobs go last, inside the transaction: if one cannot be deleted, the rows stay and
      // a retried erasure finds them again (deleting a blob that is gone already succeeds).
      for (const attachment of [...deletedFiles, ...attachments]) {
        await this.blobs.delete(attachment.blobId);
      }
      const views = await this.privacy.deletePersonalViews(userIds);
      // The search index holds the words of subjects and comments: it forgets them too, in the
      // same unit of work.
      await this.search.reindex([...new Set([...involved, ...mentions.map((c) => c.ticketId)])]);
      return [
        { category: TICKETS, deleted: deleting.length, anonymised: tickets },
        { category: COMMENTS, deleted: deleted.comments, anonymised: comments },
        { category: COLLABORATIONS, deleted: collaborations, anonymised: 0 },
        { category: MENTIONS, deleted: 0, anonymised: mentions.length },
        {
          category: ATTACHMENTS,
          deleted: deletedFiles.length + attachments.length,
          anonymised: 0,
        },
        { category: VIEWS, deleted: views, anonymised: 0 },
        { category: FIELD_VALUES, deleted: fieldValues, anonymised: 0 },
      ];
    });
  }

  /** Each ticket's custom field values, with the fields' titles. */
  private async customFieldsOf(
    ticketIds: readonly number[],
  ): Promise<Map<number, Array<{ fieldId: number; title: string; value: string }>>> {
    const values = await this.fields.valuesOf(ticketIds);
    const titles = new Map(
      (await this.fields.findByIds([...new Set(values.map((v) => v.fieldId))])).map((f) => [
        f.id,
        f.title,
      ]),
    );
    const byTicket = new Map<number, Array<{ fieldId: number; title: string; value: string }>>();
    for (const value of values) {
      const list = byTicket.get(value.ticketId) ?? [];
      list.push({
        fieldId: value.fieldId,
        title: titles.get(value.fieldId) ?? '',
        value: value.value,
      });
      byTicket.set(value.ticketId, list);
    }
    return byTicket;
  }

  /** With STEWARD_ERASURE_TICKETS=delete, the tickets to delete outright; otherwise none. */
  private async deletableTicketIds(userIds: readonly number[]): Promise<number[]> {
    if (this.config.tickets.erasure !== 'delete') return [];
    return this.privacy.soleRequestedTicketIds(userIds);
  }

  /** The tickets an erasure deletes outright, and what the plan says of them. */
  private async planDeletion(
    userIds: readonly number[],
  ): Promise<{ ticketIds: number[]; items: ErasurePlanItem[] }> {
    if (this.config.tickets.erasure !== 'delete') return { ticketIds: [], items: [] };
    const ticketIds = await this.privacy.soleRequestedTicketIds(userIds);
    const [comments, files] = await Promise.all([
      this.privacy.commentsOf(ticketIds),
      this.privacy.attachmentsOfTickets(ticketIds),
    ]);
    return {
      ticketIds,
      items: [
        {
          category: TICKETS,
          action: 'delete',
          count: ticketIds.length,
          reason: `deleted outright (STEWARD_ERASURE_TICKETS=delete) when ${SOLE_REQUESTER}`,
        },
        {
          category: COMMENTS,
          action: 'delete',
          count: comments.length,
          reason:
            'every comment of the deleted tickets, with their changes, tags, CCs and custom field values',
        },
        {
          category: ATTACHMENTS,
          action: 'delete',
          count: files.length,
          reason: 'every file on the deleted tickets, whoever uploaded it, with its blob',
        },
      ],
    };
  }

  private async userIdsOf(subject: DataSubject): Promise<number[]> {
    const ids = new Set<number>();
    if (subject.userId !== undefined && /^\d+$/.test(subject.userId)) {
      const user = await this.users.findById(Number(subject.userId));
      if (user) ids.add(user.id);
    }
    for (const email of emailsOf(subject)) {
      const user = await this.users.findByEmail(email);
      if (user) ids.add(user.id);
    }
    return [...ids].sort((a, b) => a - b);
  }
}

function emailsOf(subject: DataSubject): string[] {
  return [...new Set(subject.emails.map((e) => e.trim().toLowerCase()))].filter((e) => e !== '');
}

function replaceAll(text: string, terms: readonly string[], label: string): string {
  return terms.reduce(
    (out, term) => out.replace(new RegExp(escapeRegExp(term), 'gi'), label),
    text,
  );
}
