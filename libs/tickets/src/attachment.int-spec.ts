import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import {
  GroupMembershipService,
  GroupService,
  SYSTEM_ACTOR,
  type UserEntity,
  type UserRole,
  UserService,
} from '@steward/identity';
import { Clock, ErrorCode, StewardError } from '@steward/platform';
import { BlobIntegrityError, BlobStore } from '@steward/storage';
import type { TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { TicketAttachmentEntity } from './attachment.entity';
import { AttachmentService, UPLOAD_TTL_MS } from './attachment.service';
import { startTicketsTestApp } from './testing/tickets-test-app';
import { TicketCommentEntity } from './ticket-comment.entity';
import { ATTACHMENT_REMOVED_NOTE, TicketContributor } from './ticket.contributor';
import { TicketService } from './ticket.service';

class TestClock extends Clock {
  private current = new Date('2026-11-21T08:00:00.000Z');

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('IHDR-and-the-rest-of-a-tiny-image'),
]);
const HTML = Buffer.from('<!doctype html><script>alert(document.cookie)</script>');

async function rejection(promise: Promise<unknown>): Promise<StewardError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StewardError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

async function text(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Buffer));
  return Buffer.concat(parts);
}

describe('ticket attachments', () => {
  const clock = new TestClock();
  let setup: TestSetup;
  let app: INestApplicationContext;
  let attachments: AttachmentService;
  let tickets: TicketService;
  let agent: UserEntity;
  let stranger: UserEntity;
  let requester: UserEntity;
  let groupId: number;

  beforeAll(async () => {
    ({ app, setup } = await startTicketsTestApp({ clock }));
    attachments = app.get(AttachmentService);
    tickets = app.get(TicketService);
    agent = await user('agent@example.com', 'agent');
    stranger = await user('stranger@example.com', 'agent');
    requester = await user('rita@example.com', 'end-user');
    const group = await app.get(GroupService).create({ name: 'IT' }, SYSTEM_ACTOR);
    groupId = group.id;
    await app.get(GroupMembershipService).create({ userId: agent.id, groupId }, SYSTEM_ACTOR);
    const other = await app.get(GroupService).create({ name: 'Facilities' }, SYSTEM_ACTOR);
    await app
      .get(GroupMembershipService)
      .create({ userId: stranger.id, groupId: other.id }, SYSTEM_ACTOR);
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  async function user(email: string, role: UserRole): Promise<UserEntity> {
    return (await app.get(UserService).createUser({ email, role, password: 'x'.repeat(16) })).user;
  }

  async function ticketWith(uploads: string[], isPublic = true): Promise<number> {
    const view = await tickets.create(
      {
        subject: 'Printer',
        comment: { body: 'See the photo', isPublic, uploads },
        groupId,
        requesterId: requester.id,
      },
      { user: agent, via: 'api' },
    );
    return view.ticket.id;
  }

  async function attachmentsOf(ticketId: number): Promise<TicketAttachmentEntity[]> {
    const page = await tickets.comments(ticketId, agent, { offset: 0, perPage: 10 });
    const byComment = await attachments.ofComments(page.comments.map((c) => c.id));
    return [...byComment.values()].flat();
  }

  it('stores an upload encrypted, attaches it by token and serves it as a download', async () => {
    const upload = await attachments.upload({ fileName: 'photo.png', data: PNG }, agent);
    expect(upload.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(upload.expiresAt.getTime()).toBe(clock.now().getTime() + UPLOAD_TTL_MS);
    const [file] = upload.attachments;
    expect(file).toMatchObject({ fileName: 'photo.png', contentType: 'image/png', size: 41 });
    // At rest the bytes are ciphertext under a random name, not the file name.
    const stored = await readFile(join(setup.config.storageDir, blobPath(file.blobId)));
    expect(stored.includes(PNG)).toBe(false);
    expect(file.blobId).toMatch(/^[0-9a-f]{32}$/);

    const ticketId = await ticketWith([upload.token]);
    const [attached] = await attachmentsOf(ticketId);
    expect(attached).toMatchObject({ id: file.id, ticketId });
    expect(attached.commentId).toEqual(expect.any(Number));

    const download = await attachments.download(file.id, agent, { inline: false });
    expect(await text(download.body)).toEqual(PNG);
    expect(download.headers).toMatchObject({
      'Content-Type': 'image/png',
      'Content-Disposition': `attachment; filename="photo.png"; filename*=UTF-8''photo.png`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, no-store',
    });
    const inline = await attachments.download(file.id, agent, { inline: true });
    expect(inline.headers['Content-Disposition']).toMatch(/^inline; /);
    inline.body.destroy();
  });

  it('never trusts the name or claimed type: HTML named .png is an opaque download', async () => {
    const upload = await attachments.upload(
      { fileName: '../../etc/passwd.png', data: HTML },
      agent,
    );
    const [file] = upload.attachments;
    expect(file.fileName).toBe('passwd.png');
    expect(file.contentType).toBe('application/octet-stream');
    await ticketWith([upload.token]);
    const download = await attachments.download(file.id, agent, { inline: true });
    expect(download.headers['Content-Type']).toBe('application/octet-stream');
    expect(download.headers['Content-Disposition']).toMatch(/^attachment; /);
    download.body.destroy();
  });

  it('adds files to an upload by its token, for their uploader only', async () => {
    const first = await attachments.upload({ fileName: 'a.txt', data: Buffer.from('a') }, agent);
    const second = await attachments.upload(
      { fileName: 'b.txt', data: Buffer.from('b'), token: first.token },
      agent,
    );
    expect(second.token).toBe(first.token);
    expect(second.attachments.map((a) => a.fileName)).toEqual(['a.txt', 'b.txt']);
    const foreign = await rejection(
      attachments.upload(
        { fileName: 'c.txt', data: Buffer.from('c'), token: first.token },
        stranger,
      ),
    );
    expect(foreign.details).toEqual({ token: [expect.any(String)] });
    await attachments.deleteUpload(first.token, agent);
    expect(await app.get(BlobStore).exists(first.attachments[0].blobId)).toBe(false);
    expect((await rejection(attachments.deleteUpload(first.token, agent))).code).toBe(
      ErrorCode.NotFound,
    );
  });

  it('refuses unknown, foreign and used tokens with 422 naming uploads, keeping nothing', async () => {
    const upload = await attachments.upload({ fileName: 'x.txt', data: Buffer.from('x') }, agent);
    const cases = [
      { token: 'no-such-token', by: agent },
      { token: upload.token, by: stranger },
    ];
    for (const { token, by } of cases) {
      const error = await rejection(
        tickets.create(
          { subject: 's', comment: { body: 'b', uploads: [token] } },
          { user: by, via: 'api' },
        ),
      );
      expect(error.code).toBe(ErrorCode.Invalid);
      expect(Object.keys(error.details ?? {})).toEqual(['uploads']);
    }
    const ticketId = await ticketWith([upload.token]);
    const used = await rejection(
      tickets.update(
        ticketId,
        { comment: { body: 'again', uploads: [upload.token] } },
        {
          user: agent,
          via: 'api',
        },
      ),
    );
    expect(Object.keys(used.details ?? {})).toEqual(['uploads']);
    // The failed comment was rolled back with the refusal.
    const page = await tickets.comments(ticketId, agent, { offset: 0, perPage: 10 });
    expect(page.count).toBe(1);
  });

  it('shows a file only to who may see its comment (404 for others)', async () => {
    const upload = await attachments.upload({ fileName: 'n.txt', data: Buffer.from('n') }, agent);
    const fileId = upload.attachments[0].id;
    // Before it is attached: its uploader only.
    await expect(attachments.show(fileId, agent)).resolves.toMatchObject({ id: fileId });
    expect((await rejection(attachments.show(fileId, stranger))).code).toBe(ErrorCode.NotFound);

    await ticketWith([upload.token], false);
    expect((await rejection(attachments.show(fileId, stranger))).code).toBe(ErrorCode.NotFound);
    expect((await rejection(attachments.download(fileId, stranger, { inline: false }))).code).toBe(
      ErrorCode.NotFound,
    );
    // The requester sees public replies' files, never an internal note's.
    expect((await rejection(attachments.show(fileId, requester))).code).toBe(ErrorCode.NotFound);
    const reply = await attachments.upload({ fileName: 'r.txt', data: Buffer.from('r') }, agent);
    await ticketWith([reply.token], true);
    await expect(attachments.show(reply.attachments[0].id, requester)).resolves.toBeDefined();
  });

  it('refuses a blob whose bytes were changed on disk', async () => {
    const upload = await attachments.upload({ fileName: 'p.png', data: PNG }, agent);
    const [file] = upload.attachments;
    await ticketWith([upload.token]);
    const path = join(setup.config.storageDir, blobPath(file.blobId));
    const bytes = await readFile(path);
    bytes[bytes.length - 20] ^= 0x01;
    await writeFile(path, bytes);
    const error = await rejection(attachments.download(file.id, agent, { inline: false }));
    expect(error.code).toBe(ErrorCode.Internal);
    expect(error.message).toMatch(/integrity check/);
  });

  it('ends a download with an error at a tampered later chunk, before its bytes', async () => {
    const big = Buffer.alloc(200_000, 'a');
    const upload = await attachments.upload({ fileName: 'big.txt', data: big }, agent);
    const [file] = upload.attachments;
    await ticketWith([upload.token]);
    const path = join(setup.config.storageDir, blobPath(file.blobId));
    const bytes = await readFile(path);
    bytes[bytes.length - 1] ^= 0x01;
    await writeFile(path, bytes);
    const download = await attachments.download(file.id, agent, { inline: false });
    const received: Buffer[] = [];
    await expect(
      (async () => {
        for await (const part of download.body) received.push(part as Buffer);
      })(),
    ).rejects.toThrow(BlobIntegrityError);
    // Only the chunks that verified came out: three whole 64 KiB chunks, not the last one.
    expect(Buffer.concat(received).length).toBe(3 * 65_536);
  });

  it('deletes uploads that no comment took within three days, rows and blobs', async () => {
    const db = app.get(DataSource);
    await db.getRepository(TicketAttachmentEntity).clear();
    const kept = await attachments.upload({ fileName: 'k.txt', data: Buffer.from('k') }, agent);
    await ticketWith([kept.token]);
    const stale = await attachments.upload({ fileName: 's.txt', data: Buffer.from('s') }, agent);
    clock.advance(UPLOAD_TTL_MS - 1000);
    await expect(attachments.expireUploads()).resolves.toBe(0);
    clock.advance(2000);
    await expect(attachments.expireUploads()).resolves.toBe(1);
    const left = await db.getRepository(TicketAttachmentEntity).find();
    expect(left.map((a) => a.id)).toEqual([kept.attachments[0].id]);
    expect(await app.get(BlobStore).exists(stale.attachments[0].blobId)).toBe(false);
  });

  it('exports and erases the files a data subject uploaded', async () => {
    const uploader = await user('ursula@example.com', 'agent');
    await app.get(GroupMembershipService).create({ userId: uploader.id, groupId }, SYSTEM_ACTOR);
    const upload = await attachments.upload({ fileName: 'id-card.png', data: PNG }, uploader);
    const [file] = upload.attachments;
    const ticketId = (
      await tickets.create(
        { subject: 'Badge', comment: { body: 'Scan attached', uploads: [upload.token] }, groupId },
        { user: uploader, via: 'api' },
      )
    ).ticket.id;
    const [attached] = await attachmentsOf(ticketId);
    const contributor = app.get(TicketContributor);
    const subject = { userId: String(uploader.id), emails: ['ursula@example.com'] };
    const parts = await contributor.exportSubject(subject);
    const exported = parts.find((p) => p.category === 'ticket_attachments');
    expect(exported?.records).toEqual([
      expect.objectContaining({ id: file.id, ticketId, fileName: 'id-card.png', size: PNG.length }),
    ]);

    const results = await contributor.eraseSubject(subject, { label: 'Erased user 1' });
    expect(results).toContainEqual({ category: 'ticket_attachments', deleted: 1, anonymised: 0 });
    expect(await app.get(BlobStore).exists(file.blobId)).toBe(false);
    const db = app.get(DataSource);
    expect(await db.getRepository(TicketAttachmentEntity).findOneBy({ id: file.id })).toBeNull();
    const comment = await db
      .getRepository(TicketCommentEntity)
      .findOneByOrFail({ id: attached.commentId ?? -1 });
    expect(comment.body).toContain(ATTACHMENT_REMOVED_NOTE);
  });
});

function blobPath(id: string): string {
  return join(id.slice(0, 2), id.slice(2, 4), id);
}
