import type { INestApplicationContext } from '@nestjs/common';
import { type UserEntity, type UserRole, UserService } from '@steward/identity';
import { DomainEvents } from '@steward/persistence';
import { BlobStore } from '@steward/storage';
import { truncateAll, type TestSetup } from '@steward/testing';
import { DataSource, type FindOptionsWhere } from 'typeorm';
import { TicketAttachmentEntity } from './attachment.entity';
import { AttachmentService } from './attachment.service';
import { RequestService } from './request.service';
import { TicketSearchService } from './search.service';
import { startTicketsTestApp } from './testing/tickets-test-app';
import { TicketAuditEntity } from './ticket-audit.entity';
import { TicketCollaboratorEntity } from './ticket-collaborator.entity';
import { TicketCommentEntity } from './ticket-comment.entity';
import { TicketTagEntity } from './ticket-tag.entity';
import { ERASED_SUBJECT, TicketContributor } from './ticket.contributor';
import { TicketEntity } from './ticket.entity';
import { type TicketActor, TicketService } from './ticket.service';

/** One desk's cast and helpers, for an app started with the erasure setting under test. */
function desk(env: Record<string, string>) {
  let setup: TestSetup;
  let app!: INestApplicationContext;

  beforeAll(async () => {
    ({ app, setup } = await startTicketsTestApp({ env }));
  });

  afterEach(async () => {
    await app.get(DomainEvents).settled();
    await truncateAll(app.get(DataSource));
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  const as = (user: UserEntity): TicketActor => ({ user, via: 'api' });

  return {
    get app(): INestApplicationContext {
      return app;
    },
    as,
    async user(email: string, role: UserRole = 'end-user'): Promise<UserEntity> {
      return (await app.get(UserService).createUser({ email, role })).user;
    },
    /** A request filed by `user` with a file attached to its first comment; its id and the file. */
    async filedWithFile(
      user: UserEntity,
      subject: string,
    ): Promise<{ id: number; file: TicketAttachmentEntity }> {
      const upload = await app
        .get(AttachmentService)
        .upload({ fileName: 'screen.txt', data: Buffer.from(`${subject} evidence`) }, user);
      const view = await app
        .get(RequestService)
        .create(
          { subject, comment: { body: `${subject} body`, uploads: [upload.token] } },
          as(user),
        );
      return { id: view.ticket.id, file: upload.attachments[0] };
    },
    rows<T extends object>(entity: new () => T, where: FindOptionsWhere<T>): Promise<T[]> {
      return app.get(DataSource).manager.find(entity, { where });
    },
    /** The ticket ids a search for these words finds, as an admin sees them. */
    async searchFinds(admin: UserEntity, words: string): Promise<number[]> {
      await app.get(DomainEvents).settled();
      const page = await app.get(TicketSearchService).find(admin, words, {
        offset: 0,
        perPage: 100,
      });
      return page.results.flatMap((r) => (r.type === 'ticket' ? [r.ticket.ticket.id] : []));
    },
  };
}

describe('ticket erasure with STEWARD_ERASURE_TICKETS=delete', () => {
  const d = desk({ STEWARD_ERASURE_TICKETS: 'delete' });

  /**
   * Ann's tickets: `alone` (only she and an agent took part, with her file and an agent's file),
   * `copied` (Carol CC'd), `joined` (Bob, another end-user, commented) — and Bob's own ticket.
   */
  async function scene() {
    const { app, as } = d;
    const ann = await d.user('ann@example.com');
    const bob = await d.user('bob@example.com');
    const carol = await d.user('carol@example.com');
    const agent = await d.user('agent@example.com', 'agent');
    const admin = await d.user('admin@example.com', 'admin');
    const tickets = app.get(TicketService);
    const alone = await d.filedWithFile(ann, 'Zeppelin');
    const agentUpload = await app
      .get(AttachmentService)
      .upload({ fileName: 'fix.txt', data: Buffer.from('the fix') }, agent);
    await tickets.update(
      alone.id,
      {
        comment: { body: 'Try this', uploads: [agentUpload.token] },
        tags: ['vpn'],
        followerIds: [agent.id],
      },
      as(agent),
    );
    await tickets.update(alone.id, { comment: { body: 'note', isPublic: false } }, as(agent));
    const copied = await d.filedWithFile(ann, 'Quasar');
    await tickets.update(copied.id, { collaboratorIds: [carol.id] }, as(agent));
    const joined = (
      await app.get(RequestService).create({ subject: 'Nebula', comment: { body: 'x' } }, as(ann))
    ).ticket.id;
    await tickets.update(joined, { collaboratorIds: [bob.id] }, as(agent));
    await app.get(RequestService).update(joined, { comment: { body: 'me too' } }, as(bob));
    await tickets.update(joined, { collaboratorIds: [] }, as(agent));
    const bobs = (
      await app.get(RequestService).create({ subject: 'Comet', comment: { body: 'y' } }, as(bob))
    ).ticket.id;
    return { ann, bob, admin, alone, agentFile: agentUpload.attachments[0], copied, joined, bobs };
  }

  it('plans the sole-requester tickets as deleted, with counts, and the rest as anonymised', async () => {
    const s = await scene();
    const plan = await d.app.get(TicketContributor).planErasure({ emails: ['ann@example.com'] });
    expect(plan).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ category: 'tickets', action: 'delete', count: 1 }),
        // Ann's first comment, the agent's reply and note.
        expect.objectContaining({ category: 'ticket_comments', action: 'delete', count: 3 }),
        // Her file and the agent's on the deleted ticket.
        expect.objectContaining({ category: 'ticket_attachments', action: 'delete', count: 2 }),
        expect.objectContaining({ category: 'tickets', action: 'anonymise', count: 2 }),
        // Her file on `copied`, which stays.
        expect.objectContaining({ category: 'ticket_attachments', action: 'delete', count: 1 }),
      ]),
    );
    expect(s.alone.id).toBeGreaterThan(0);
  });

  it('deletes the sole-requester ticket with its rows, blobs and index entry; anonymises the others', async () => {
    const s = await scene();
    const blobs = d.app.get(BlobStore);
    expect(await blobs.exists(s.alone.file.blobId)).toBe(true);
    expect(await d.searchFinds(s.admin, 'Zeppelin')).toEqual([s.alone.id]);

    const results = await d.app
      .get(TicketContributor)
      .eraseSubject({ emails: ['ann@example.com'] }, { label: 'Erased user 1' });
    expect(results).toEqual(
      expect.arrayContaining([
        { category: 'tickets', deleted: 1, anonymised: 2 },
        { category: 'ticket_attachments', deleted: 3, anonymised: 0 },
      ]),
    );

    expect(await d.rows(TicketCommentEntity, { ticketId: s.alone.id })).toEqual([]);
    expect(await d.rows(TicketAuditEntity, { ticketId: s.alone.id })).toEqual([]);
    expect(await d.rows(TicketTagEntity, { ticketId: s.alone.id })).toEqual([]);
    expect(await d.rows(TicketCollaboratorEntity, { ticketId: s.alone.id })).toEqual([]);
    expect(await d.rows(TicketAttachmentEntity, { ticketId: s.alone.id })).toEqual([]);
    expect(await d.rows(TicketEntity, { id: s.alone.id })).toEqual([]);
    expect(await blobs.exists(s.alone.file.blobId)).toBe(false);
    expect(await blobs.exists(s.agentFile.blobId)).toBe(false);
    expect(await blobs.exists(s.copied.file.blobId)).toBe(false);
    expect(await d.searchFinds(s.admin, 'Zeppelin')).toEqual([]);

    // Tickets with other people involved keep the anonymising path.
    const kept = await d.rows(TicketEntity, { requesterId: s.ann.id });
    expect(kept.map((t) => [t.id, t.subject]).sort()).toEqual(
      [
        [s.copied.id, ERASED_SUBJECT],
        [s.joined, ERASED_SUBJECT],
      ].sort(),
    );
    expect(await d.searchFinds(s.admin, 'Quasar')).toEqual([]);
    const bobsComment = await d.rows(TicketCommentEntity, {
      ticketId: s.joined,
      authorId: s.bob.id,
    });
    expect(bobsComment.map((c) => c.body)).toEqual(['me too']);
    // Bob's own ticket is untouched.
    expect((await d.rows(TicketEntity, { id: s.bobs }))[0]?.subject).toBe('Comet');
  });

  it('counts a ticket an agent filed for the subject as theirs alone, but not one another end-user filed', async () => {
    const { app, as } = d;
    const ann = await d.user('ann@example.com');
    const bob = await d.user('bob@example.com');
    const agent = await d.user('agent@example.com', 'agent');
    const tickets = app.get(TicketService);
    const byAgent = (
      await tickets.create(
        { subject: 'By agent', comment: { body: 'a' }, requesterId: ann.id },
        as(agent),
      )
    ).ticket.id;
    const admin = await d.user('admin@example.com', 'admin');
    const byBob = (
      await tickets.create(
        { subject: 'By Bob', comment: { body: 'b' }, requesterId: ann.id, submitterId: bob.id },
        as(admin),
      )
    ).ticket.id;
    await app.get(TicketContributor).eraseSubject({ emails: ['ann@example.com'] }, { label: 'E' });
    expect(await d.rows(TicketEntity, { id: byAgent })).toEqual([]);
    expect((await d.rows(TicketEntity, { id: byBob }))[0]?.subject).toBe(ERASED_SUBJECT);
  });
});

describe('ticket erasure with the default (anonymise)', () => {
  const d = desk({});

  it('keeps every ticket, anonymised, and plans no ticket deletion', async () => {
    const ann = await d.user('ann@example.com');
    const alone = await d.filedWithFile(ann, 'Zeppelin');
    const contributor = d.app.get(TicketContributor);
    const plan = await contributor.planErasure({ emails: ['ann@example.com'] });
    expect(plan.filter((item) => item.category === 'tickets')).toEqual([
      expect.objectContaining({ action: 'anonymise', count: 1 }),
    ]);
    await contributor.eraseSubject({ emails: ['ann@example.com'] }, { label: 'E' });
    const [kept] = await d.rows(TicketEntity, { id: alone.id });
    expect(kept?.subject).toBe(ERASED_SUBJECT);
    // Her own file goes either way.
    expect(await d.app.get(BlobStore).exists(alone.file.blobId)).toBe(false);
  });
});
