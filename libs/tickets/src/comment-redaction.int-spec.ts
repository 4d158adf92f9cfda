import type { INestApplicationContext } from '@nestjs/common';
import {
  GroupMembershipService,
  GroupService,
  SYSTEM_ACTOR,
  type UserEntity,
  type UserRole,
  UserService,
} from '@steward/identity';
import { DomainEvents } from '@steward/persistence';
import { ErrorCode, StewardError } from '@steward/platform';
import { BlobStore } from '@steward/storage';
import type { TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { AttachmentService } from './attachment.service';
import { REDACTION_MARK } from './comment-redaction';
import { CommentRedactionService, REDACTED_FILE_NAME } from './comment-redaction.service';
import { RequestService } from './request.service';
import { TicketSearchService } from './search.service';
import { startTicketsTestApp } from './testing/tickets-test-app';
import type { TicketCommentEntity } from './ticket-comment.entity';
import { TicketContributor } from './ticket.contributor';
import { type TicketActor, TicketService } from './ticket.service';

async function rejection(promise: Promise<unknown>): Promise<StewardError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StewardError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

async function bytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Buffer));
  return Buffer.concat(parts);
}

describe('comment redaction and privacy changes', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let tickets: TicketService;
  let redaction: CommentRedactionService;
  let agent: UserEntity;
  let light: UserEntity;
  let outsider: UserEntity;
  let requester: UserEntity;
  let groupId: number;

  beforeAll(async () => {
    ({ app, setup } = await startTicketsTestApp());
    tickets = app.get(TicketService);
    redaction = app.get(CommentRedactionService);
    agent = await user('agent@example.com', 'agent');
    light = await user('light@example.com', 'light-agent');
    outsider = await user('outsider@example.com', 'agent');
    requester = await user('rita@example.com', 'end-user');
    groupId = (await app.get(GroupService).create({ name: 'IT' }, SYSTEM_ACTOR)).id;
    const other = (await app.get(GroupService).create({ name: 'Facilities' }, SYSTEM_ACTOR)).id;
    const memberships = app.get(GroupMembershipService);
    await memberships.create({ userId: agent.id, groupId }, SYSTEM_ACTOR);
    await memberships.create({ userId: light.id, groupId }, SYSTEM_ACTOR);
    await memberships.create({ userId: outsider.id, groupId: other }, SYSTEM_ACTOR);
  });

  afterAll(async () => {
    await app?.get(DomainEvents).settled();
    await app?.close();
    await setup?.cleanup();
  });

  async function user(email: string, role: UserRole): Promise<UserEntity> {
    return (await app.get(UserService).createUser({ email, role, password: 'x'.repeat(16) })).user;
  }

  function as(actor: UserEntity): TicketActor {
    return { user: actor, via: 'api' };
  }

  /** A ticket of IT requested by Rita, with a first comment of this HTML. */
  async function ticketWith(htmlBody: string, uploads: string[] = []): Promise<number> {
    const view = await tickets.create(
      { subject: 'Access', comment: { htmlBody, uploads }, groupId, requesterId: requester.id },
      as(agent),
    );
    await app.get(DomainEvents).settled();
    return view.ticket.id;
  }

  async function commentsOf(ticketId: number): Promise<readonly TicketCommentEntity[]> {
    return (await tickets.comments(ticketId, agent, { offset: 0, perPage: 100 })).comments;
  }

  async function searchCount(text: string): Promise<number> {
    await app.get(DomainEvents).settled();
    return (await app.get(TicketSearchService).find(agent, text, { offset: 0, perPage: 10 })).count;
  }

  async function eventsOf(ticketId: number) {
    const page = await tickets.audits(ticketId, agent, { offset: 0, perPage: 100 });
    return page.audits.flatMap(({ audit, events }) => events.map((event) => ({ audit, event })));
  }

  it('removes the string from the body, the HTML, the search index and the export', async () => {
    const id = await ticketWith('<p>My password is <strong>Zebra42</strong>, user Zebra42</p>');
    expect(await searchCount('Zebra42')).toBe(1);
    const [comment] = await commentsOf(id);

    const redacted = await redaction.redact(id, comment.id, 'Zebra42', as(agent));

    const marks = REDACTION_MARK.repeat(7);
    expect(redacted.body).toBe(`My password is ${marks}, user ${marks}`);
    expect(redacted.htmlBody).toBe(
      `<p>My password is <strong>${marks}</strong>, user ${marks}</p>`,
    );
    const [stored] = await commentsOf(id);
    expect(JSON.stringify(stored)).not.toContain('Zebra42');
    expect(await searchCount('Zebra42')).toBe(0);
    const parts = await app
      .get(TicketContributor)
      .exportSubject({ userId: String(requester.id), emails: [] });
    expect(JSON.stringify(parts)).not.toContain('Zebra42');
    expect(JSON.stringify(parts)).toContain('My password is');
  });

  it('records the redaction on the audit trail with the comment and the actor, never the text', async () => {
    const id = await ticketWith('<p>pin 0000-1111</p>');
    const [comment] = await commentsOf(id);
    await redaction.redact(id, comment.id, '0000-1111', as(agent));
    const redactions = (await eventsOf(id)).filter(
      ({ event }) => event.type === 'CommentRedactionEvent',
    );
    expect(redactions).toHaveLength(1);
    expect(redactions[0].audit.authorId).toBe(agent.id);
    expect(redactions[0].event).toMatchObject({
      commentId: comment.id,
      value: null,
      previousValue: null,
    });
    const raw = await app
      .get(DataSource)
      .query<unknown[]>('SELECT value, previous_value FROM ticket_audit_events');
    expect(JSON.stringify(raw)).not.toContain('0000-1111');
  });

  it('redacts link addresses and text that runs across markup, keeping the HTML clean', async () => {
    const id = await ticketWith(
      '<p>Go to <a href="https://vpn.example/?token=s3cr3t">the portal</a> and type s3c<b>r3t</b></p>',
    );
    const [comment] = await commentsOf(id);
    const redacted = await redaction.redact(id, comment.id, 's3cr3t', as(agent));
    expect(redacted.htmlBody).not.toContain('s3cr3t');
    expect(redacted.body).not.toContain('s3cr3t');
    expect(redacted.htmlBody).toMatch(/^<p>/);
    expect(redacted.htmlBody).not.toMatch(/<(?!\/?(p|a|b|br)\b)/);
  });

  it('redacts on closed tickets too', async () => {
    const id = await ticketWith('<p>leaked: hunter2</p>');
    await app.get(DataSource).query(`UPDATE tickets SET status = 'closed' WHERE id = ${id}`);
    const [comment] = await commentsOf(id);
    const redacted = await redaction.redact(id, comment.id, 'hunter2', as(agent));
    expect(redacted.body).toBe(`leaked: ${REDACTION_MARK.repeat(7)}`);
  });

  it('redacts what <redact> marks, each string everywhere in the comment', async () => {
    const id = await ticketWith('<p>card 4111 1111, cvc 123, card again 4111 1111</p>');
    const [comment] = await commentsOf(id);
    const redacted = await redaction.redactMarked(
      comment.id,
      {
        ticketId: id,
        htmlBody: '<p>card <redact>4111 1111</redact>, cvc <redact>123</redact>, card again</p>',
      },
      as(agent),
    );
    expect(redacted.body).not.toMatch(/4111|123/);
    expect(redacted.body).toContain('card again');
  });

  it('refuses blank, absent, huge and foreign redactions with 4xx, changing nothing', async () => {
    const id = await ticketWith('<p>keep this text</p>');
    const other = await ticketWith('<p>another ticket</p>');
    const [comment] = await commentsOf(id);
    const [foreign] = await commentsOf(other);
    const cases: Array<[Promise<unknown>, ErrorCode]> = [
      [redaction.redact(id, comment.id, '', as(agent)), ErrorCode.Invalid],
      [redaction.redact(id, comment.id, '   ', as(agent)), ErrorCode.Invalid],
      [redaction.redact(id, comment.id, 42, as(agent)), ErrorCode.Invalid],
      [redaction.redact(id, comment.id, 'not there', as(agent)), ErrorCode.Invalid],
      [redaction.redact(id, comment.id, 'x'.repeat(70_000), as(agent)), ErrorCode.Invalid],
      [redaction.redact(id, foreign.id, 'another', as(agent)), ErrorCode.NotFound],
      [redaction.redact(id, 999_999, 'keep', as(agent)), ErrorCode.NotFound],
      [redaction.redact(id, comment.id, 'keep', as(outsider)), ErrorCode.NotFound],
      [redaction.redact(id, comment.id, 'keep', as(light)), ErrorCode.Forbidden],
      [redaction.redact(id, comment.id, 'keep', as(requester)), ErrorCode.Forbidden],
      [
        redaction.redactMarked(
          comment.id,
          { ticketId: id, htmlBody: '<p>no marks</p>' },
          as(agent),
        ),
        ErrorCode.Invalid,
      ],
      [
        redaction.redactMarked(
          foreign.id,
          { ticketId: id, htmlBody: '<redact>another</redact>' },
          as(agent),
        ),
        ErrorCode.NotFound,
      ],
    ];
    for (const [promise, code] of cases) expect((await rejection(promise)).code).toBe(code);
    const [after] = await commentsOf(id);
    expect(after.body).toBe('keep this text');
    expect((await eventsOf(id)).map(({ event }) => event.type)).not.toContain(
      'CommentRedactionEvent',
    );
  });

  it('deletes a redacted attachment’s bytes and leaves an empty redacted.txt', async () => {
    const files = app.get(AttachmentService);
    const upload = await files.upload(
      { fileName: 'passwords.txt', data: Buffer.from('root: hunter2') },
      agent,
    );
    const [file] = upload.attachments;
    const id = await ticketWith('<p>see file</p>', [upload.token]);
    const [comment] = await commentsOf(id);
    const blobs = app.get(BlobStore);
    expect(await blobs.exists(file.blobId)).toBe(true);

    const placeholder = await redaction.redactAttachment(id, comment.id, file.id, as(agent));

    expect(placeholder).toMatchObject({
      id: file.id,
      fileName: REDACTED_FILE_NAME,
      contentType: 'text/plain',
      size: 0,
    });
    expect(await blobs.exists(file.blobId)).toBe(false);
    const download = await files.download(file.id, agent, { inline: false });
    expect((await bytes(download.body)).length).toBe(0);
    const events = (await eventsOf(id)).filter(
      ({ event }) => event.type === 'AttachmentRedactionEvent',
    );
    expect(events.map(({ event }) => [event.commentId, event.value])).toEqual([
      [comment.id, JSON.stringify(file.id)],
    ]);
    const otherTicket = await ticketWith('<p>other</p>');
    const [otherComment] = await commentsOf(otherTicket);
    const foreign = await rejection(
      redaction.redactAttachment(otherTicket, otherComment.id, file.id, as(agent)),
    );
    expect(foreign.code).toBe(ErrorCode.NotFound);
  });

  it('makes a public reply an internal note: hidden from the requester, ticket no longer public', async () => {
    const id = await ticketWith('<p>public first</p>');
    const requests = app.get(RequestService);
    expect((await requests.comments(id, requester, { offset: 0, perPage: 10 })).count).toBe(1);
    const [comment] = await commentsOf(id);

    expect((await rejection(redaction.makePrivate(id, comment.id, as(light)))).code).toBe(
      ErrorCode.Forbidden,
    );
    const made = await redaction.makePrivate(id, comment.id, as(agent));

    expect(made.isPublic).toBe(false);
    expect((await requests.comments(id, requester, { offset: 0, perPage: 10 })).count).toBe(0);
    expect((await tickets.show(id, agent)).ticket.isPublic).toBe(false);
    const changes = (await eventsOf(id)).filter(
      ({ event }) => event.type === 'CommentPrivacyChange',
    );
    expect(changes.map(({ event, audit }) => [event.commentId, audit.authorId])).toEqual([
      [comment.id, agent.id],
    ]);
  });

  it('keeps the ticket public while another public reply is left', async () => {
    const id = await ticketWith('<p>first</p>');
    await tickets.update(id, { comment: { body: 'second reply' } }, as(agent));
    const [first] = await commentsOf(id);
    await redaction.makePrivate(id, first.id, as(agent));
    expect((await tickets.show(id, agent)).ticket.isPublic).toBe(true);
  });
});
