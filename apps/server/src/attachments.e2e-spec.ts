import { readFile, writeFile } from 'node:fs/promises';
import { join as joinPath } from 'node:path';
import { GroupMembershipService, GroupService, SYSTEM_ACTOR } from '@steward/identity';
import { BlobStore } from '@steward/storage';
import { AttachmentService, TicketAttachmentEntity, UPLOAD_TTL_MS } from '@steward/tickets';
import { DataSource } from 'typeorm';
import { type Body, type Caller, useApiHarness } from './testing/api-harness';

interface Attachment {
  id: number;
  url: string;
  file_name: string;
  content_url: string;
  content_type: string;
  size: number;
}

interface Upload {
  token: string;
  expires_at: string;
  attachments: Attachment[];
  attachment: Attachment;
}

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('0000IHDR tiny image'),
]);

describe('/api/v2/uploads and /api/v2/attachments', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let agent: Caller;
  let outsider: Caller;
  let requester: Caller;
  let itGroup: number;
  let hr: number;

  async function group(name: string, confidential = false): Promise<number> {
    return (await api.app.get(GroupService).create({ name, confidential }, SYSTEM_ACTOR)).id;
  }

  async function join(who: Caller, groupId: number): Promise<void> {
    await api.app.get(GroupMembershipService).create({ userId: who.id, groupId }, SYSTEM_ACTOR);
  }

  /** Uploads raw bytes, sent with whatever Content-Type the client claims. */
  async function upload(
    who: Caller,
    fileName: string,
    data: Buffer,
    contentType = 'application/binary',
    token?: string,
  ): Promise<{ status: number; body: Body }> {
    const query = new URLSearchParams({ filename: fileName, ...(token ? { token } : {}) });
    const res = await fetch(`${api.base}/api/v2/uploads.json?${query.toString()}`, {
      method: 'POST',
      headers: { authorization: who.auth, 'content-type': contentType },
      body: data,
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Body) : {} };
  }

  async function uploaded(who: Caller, fileName: string, data: Buffer, type?: string) {
    const res = await upload(who, fileName, data, type);
    expect(res.status).toBe(201);
    return res.body.upload as Upload;
  }

  async function ticketWith(tokens: string[], groupId: number, isPublic = true): Promise<number> {
    const res = await call(agent, 'POST', '/api/v2/tickets.json', {
      ticket: {
        subject: 'Broken screen',
        comment: { body: 'Photo attached', public: isPublic, uploads: tokens },
        group_id: groupId,
        requester_id: requester.id,
      },
    });
    expect(res.status).toBe(201);
    return (res.body.ticket as { id: number }).id;
  }

  function download(who: Caller, id: number, query = ''): Promise<Response> {
    return fetch(`${api.base}/api/v2/attachments/${id}/download${query}`, {
      headers: { authorization: who.auth },
    });
  }

  beforeEach(async () => {
    await api.reset();
    agent = await caller('agent@example.com', 'agent');
    outsider = await caller('outsider@example.com', 'agent');
    requester = await caller('rita@example.com', 'end-user');
    itGroup = await group('IT');
    hr = await group('HR', true);
    await join(agent, itGroup);
    await join(agent, hr);
    await join(outsider, itGroup);
  });

  it('uploads, attaches by token and lists the file on the comment', async () => {
    const first = await uploaded(agent, 'screen.png', PNG, 'text/html');
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.attachments).toEqual([first.attachment]);
    expect(first.attachment).toMatchObject({
      file_name: 'screen.png',
      content_type: 'image/png',
      size: PNG.length,
      content_url: `${api.config.publicUrl}/api/v2/attachments/${first.attachment.id}/download`,
    });
    const second = await upload(agent, 'notes.txt', Buffer.from('notes'), 'x/y', first.token);
    expect(second.status).toBe(201);
    expect((second.body.upload as Upload).attachments).toHaveLength(2);

    const ticketId = await ticketWith([first.token], itGroup);
    const comments = await call(agent, 'GET', `/api/v2/tickets/${ticketId}/comments.json`);
    const [comment] = comments.body.comments as Array<{ attachments: Attachment[] }>;
    expect(comment.attachments.map((a) => a.file_name)).toEqual(['screen.png', 'notes.txt']);
    const shown = await call(agent, 'GET', `/api/v2/attachments/${first.attachment.id}.json`);
    expect(shown.status).toBe(200);
    expect(shown.body.attachment).toEqual(first.attachment);
  });

  it('serves a file as a download with safe headers; inline only for a real image', async () => {
    const image = await uploaded(agent, 'Grüße.png', PNG);
    const disguised = await uploaded(
      agent,
      'cat.png',
      Buffer.from('<html><script>alert(document.cookie)</script></html>'),
      'image/png',
    );
    expect(disguised.attachment.content_type).toBe('application/octet-stream');
    await ticketWith([image.token, disguised.token], itGroup);

    const res = await download(agent, image.attachment.id);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'content-type': 'image/png',
      'content-disposition': `attachment; filename="Gr__e.png"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.png`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, no-store',
    });
    const inline = await download(agent, image.attachment.id, '?inline=1');
    expect(inline.headers.get('content-disposition')).toMatch(/^inline; /);
    await inline.arrayBuffer();

    const html = await download(agent, disguised.attachment.id, '?inline=1');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('application/octet-stream');
    expect(html.headers.get('content-disposition')).toMatch(/^attachment; filename="cat.png"/);
    await html.arrayBuffer();
  });

  it('shows a path-traversal name as its last part, and stores nothing under it', async () => {
    const passwd = await uploaded(agent, '../../etc/passwd', Buffer.from('root:x:0:0\n'));
    expect(passwd.attachment).toMatchObject({ file_name: 'passwd', content_type: 'text/plain' });
    const row = await api.app
      .get(DataSource)
      .getRepository(TicketAttachmentEntity)
      .findOneByOrFail({ id: passwd.attachment.id });
    expect(row.blobId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("answers 404 to whoever may not see the file's ticket or comment", async () => {
    const secret = await uploaded(agent, 'payslip.pdf', Buffer.from('%PDF-1.7 payslip'));
    const hrTicket = await ticketWith([secret.token], hr);
    expect((await call(agent, 'GET', `/api/v2/tickets/${hrTicket}.json`)).status).toBe(200);
    expect((await call(outsider, 'GET', `/api/v2/tickets/${hrTicket}.json`)).status).toBe(404);
    // Admins too: a confidential group's tickets need membership or break-glass.
    const admin = await caller('admin@example.com', 'admin');
    const stranger = await caller('sam@example.com', 'end-user');
    for (const who of [outsider, admin, stranger]) {
      expect(
        (await call(who, 'GET', `/api/v2/attachments/${secret.attachment.id}.json`)).status,
      ).toBe(404);
      expect((await download(who, secret.attachment.id)).status).toBe(404);
    }
    // An internal note's file is staff-only; a public reply's reaches the requester.
    const note = await uploaded(agent, 'note.txt', Buffer.from('internal'));
    const reply = await uploaded(agent, 'reply.txt', Buffer.from('public'));
    await ticketWith([note.token], itGroup, false);
    await ticketWith([reply.token], itGroup, true);
    expect((await download(requester, note.attachment.id)).status).toBe(404);
    const visible = await download(requester, reply.attachment.id);
    expect(visible.status).toBe(200);
    expect(await visible.text()).toBe('public');
    // Before it is attached, an upload is its uploader's alone.
    const pending = await uploaded(agent, 'draft.txt', Buffer.from('draft'));
    expect((await download(outsider, pending.attachment.id)).status).toBe(404);
    expect((await download(agent, pending.attachment.id)).status).toBe(200);
  });

  it('refuses a tampered blob with a clear error and no file bytes', async () => {
    const file = await uploaded(agent, 'evidence.png', PNG);
    await ticketWith([file.token], itGroup);
    const row = await api.app
      .get(DataSource)
      .getRepository(TicketAttachmentEntity)
      .findOneByOrFail({ id: file.attachment.id });
    const id = row.blobId;
    const path = joinPath(api.config.storageDir, id.slice(0, 2), id.slice(2, 4), id);
    const bytes = await readFile(path);
    bytes[bytes.length - 1] ^= 0x80;
    await writeFile(path, bytes);

    const res = await download(agent, file.attachment.id);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-disposition')).toBeNull();
    const body = (await res.json()) as Body;
    expect(body.error).toBe('InternalError');
    expect(body.description).toMatch(/failed the integrity check/);
  });

  it('refuses a file over STEWARD_ATTACHMENT_MAX_MB with 413, and an empty one with 422', async () => {
    const tooBig = await upload(
      agent,
      'big.bin',
      Buffer.alloc(api.config.attachments.maxBytes + 1),
    );
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatchObject({ error: 'RequestTooLarge' });
    const empty = await upload(agent, 'empty.txt', Buffer.alloc(0));
    expect(empty.status).toBe(422);
    const unnamed = await fetch(`${api.base}/api/v2/uploads.json`, {
      method: 'POST',
      headers: { authorization: agent.auth },
      body: 'x',
    });
    expect(unnamed.status).toBe(422);
    expect(await unnamed.json()).toMatchObject({ details: { filename: [expect.anything()] } });
  });

  it('reads an upload sent as application/json as bytes, not as JSON', async () => {
    const json = await uploaded(agent, 'data.json', Buffer.from('{"a": 1}'), 'application/json');
    expect(json.attachment).toMatchObject({ content_type: 'text/plain', size: 8 });
  });

  it('refuses an unknown, foreign or used token in comment.uploads with 422 naming uploads', async () => {
    const mine = await uploaded(agent, 'a.txt', Buffer.from('a'));
    const cases: Array<[Caller, string]> = [
      [agent, 'unknown-token'],
      [outsider, mine.token],
    ];
    for (const [who, token] of cases) {
      const res = await call(who, 'POST', '/api/v2/tickets.json', {
        ticket: { subject: 's', comment: { body: 'b', uploads: [token] }, group_id: itGroup },
      });
      expect(res.status).toBe(422);
      expect(Object.keys(res.body.details as Body)).toEqual(['uploads']);
    }
    const ticketId = await ticketWith([mine.token], itGroup);
    const again = await call(agent, 'PUT', `/api/v2/tickets/${ticketId}.json`, {
      ticket: { comment: { body: 'again', uploads: [mine.token] } },
    });
    expect(again.status).toBe(422);
    expect(Object.keys(again.body.details as Body)).toEqual(['uploads']);
    const malformed = await call(agent, 'POST', '/api/v2/tickets.json', {
      ticket: { subject: 's', comment: { body: 'b', uploads: 'x' } },
    });
    expect(malformed.status).toBe(422);
    expect(Object.keys(malformed.body.details as Body)).toEqual(['uploads']);
  });

  it('deletes an upload on request, and expired ones by the job', async () => {
    const dropped = await uploaded(agent, 'drop.txt', Buffer.from('drop'));
    expect((await call(outsider, 'DELETE', `/api/v2/uploads/${dropped.token}`)).status).toBe(404);
    expect((await call(agent, 'DELETE', `/api/v2/uploads/${dropped.token}`)).status).toBe(204);
    expect((await call(agent, 'DELETE', `/api/v2/uploads/${dropped.token}`)).status).toBe(404);

    const stale = await uploaded(agent, 'stale.txt', Buffer.from('stale'));
    const kept = await uploaded(agent, 'kept.txt', Buffer.from('kept'));
    await ticketWith([kept.token], itGroup);
    const rows = api.app.get(DataSource).getRepository(TicketAttachmentEntity);
    const old = new Date(Date.now() - UPLOAD_TTL_MS - 60_000);
    for (const id of [stale.attachment.id, kept.attachment.id]) {
      await rows.update({ id }, { createdAt: old });
    }
    const staleRow = await rows.findOneByOrFail({ id: stale.attachment.id });

    await expect(api.app.get(AttachmentService).expireUploads()).resolves.toBe(1);
    expect((await rows.find()).map((r) => r.id)).toEqual([kept.attachment.id]);
    expect(await api.app.get(BlobStore).exists(staleRow.blobId)).toBe(false);
    expect((await download(agent, kept.attachment.id)).status).toBe(200);
  });
});
