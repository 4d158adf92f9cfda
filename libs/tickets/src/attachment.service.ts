import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { isActiveUser, PolicyService, type UserEntity } from '@steward/identity';
import {
  Clock,
  ErrorCode,
  STEWARD_CONFIG,
  StewardError,
  type StewardConfig,
} from '@steward/platform';
import { JobHandler, noPayload } from '@steward/queue';
import { BlobIntegrityError, BlobNotFoundError, BlobStore, type BlobOwner } from '@steward/storage';
import type { TicketAttachmentEntity } from './attachment.entity';
import { AttachmentRepository } from './attachment.repository';
import { sniffContentType } from './content-type';
import { requestShowsComment } from './request-access';
import { RequestService } from './request.service';
import { contentDisposition, displayFileName } from './filename';
import { scopeAllows } from './ticket-scope';
import { TicketError } from './ticket.errors';
import { TicketRepository } from './ticket.repository';
import { TicketService } from './ticket.service';
import { hashUploadToken, isUploadTokenShape, newUploadToken } from './upload-tokens';

export const EXPIRE_UPLOADS_JOB = 'tickets.expire_uploads';
/** How long an upload waits for a comment to take it. */
export const UPLOAD_TTL_MS = 3 * 86_400_000;
/** Files expired per batch; a run goes on until none is due. */
export const EXPIRE_BATCH = 200;
/** How many files one upload token may collect. */
export const MAX_FILES_PER_UPLOAD = 20;

/** One upload: its token (shown to the uploader only) and every file added under it so far. */
export interface UploadView {
  readonly token: string;
  readonly expiresAt: Date;
  readonly attachments: readonly TicketAttachmentEntity[];
}

/** A download, ready to send: the headers to set and the verified plaintext. */
export interface AttachmentDownload {
  readonly attachment: TicketAttachmentEntity;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Readable;
}

/** The blob owner of an attachment: its bytes read back only as this attachment's. */
export function attachmentBlobOwner(id: number): BlobOwner {
  return { type: 'ticket_attachment', id: String(id) };
}

/**
 * Ticket attachments: uploads (files collected under a token until a comment takes them),
 * their metadata and their download. The bytes live encrypted in the BlobStore under random
 * ids; their type is sniffed from the bytes; a file is shown to whoever may see its comment
 * (its uploader, before it is attached) and to nobody else, who gets 404.
 */
@Injectable()
export class AttachmentService {
  private readonly logger = new Logger('Attachments');

  constructor(
    private readonly attachments: AttachmentRepository,
    private readonly tickets: TicketRepository,
    private readonly ticketService: TicketService,
    private readonly requests: RequestService,
    private readonly policy: PolicyService,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  /** Stores a file under a new upload, or under `token` (an upload of the same user's). */
  async upload(
    input: { fileName: string; data: Buffer; token?: string },
    user: Readonly<UserEntity>,
  ): Promise<UploadView> {
    this.requireUploader(user);
    if (input.data.length === 0) throw TicketError.invalid('file', 'is empty');
    const max = this.config.attachments.maxBytes;
    if (input.data.length > max) {
      throw new StewardError(ErrorCode.Invalid, 'Record validation errors', {
        file: [`is too large: at most ${max / 1_048_576} MB`],
      });
    }
    const token = input.token ?? newUploadToken();
    const tokenHash = hashUploadToken(token);
    if (input.token !== undefined) {
      const files = isUploadTokenShape(input.token)
        ? await this.attachments.ofUpload(tokenHash)
        : [];
      if (!this.pendingOf(files, user)) {
        throw TicketError.invalid('token', 'names an upload that does not exist or was used');
      }
      if (files.length >= MAX_FILES_PER_UPLOAD) {
        throw TicketError.invalid('token', `an upload holds at most ${MAX_FILES_PER_UPLOAD} files`);
      }
    }
    const sniffed = sniffContentType(input.data);
    const row = await this.attachments.insert({
      uploadTokenHash: tokenHash,
      uploaderId: user.id,
      ticketId: null,
      commentId: null,
      fileName: displayFileName(input.fileName),
      contentType: sniffed.contentType,
      size: input.data.length,
      blobId: '',
      sha256: createHash('sha256').update(input.data).digest('hex'),
      createdAt: this.clock.now(),
    });
    try {
      const blob = await this.blobs.put(attachmentBlobOwner(row.id), input.data);
      await this.attachments.setBlob(row.id, blob.id);
    } catch (error) {
      await this.attachments.delete([row.id]);
      throw error;
    }
    const files = await this.attachments.ofUpload(tokenHash);
    return { token, expiresAt: this.expiryOf(files), attachments: files };
  }

  /** Removes an upload that no comment took yet, with its files (its uploader only). */
  async deleteUpload(token: string, user: Readonly<UserEntity>): Promise<void> {
    const files = isUploadTokenShape(token)
      ? await this.attachments.ofUpload(hashUploadToken(token))
      : [];
    if (!this.pendingOf(files, user)) throw TicketError.notFound();
    await this.remove(files);
  }

  /** An attachment's metadata, for whoever may see it; otherwise "not found". */
  async show(id: number, user: Readonly<UserEntity>): Promise<TicketAttachmentEntity> {
    const attachment = await this.attachments.findById(id);
    if (!attachment || !(await this.maySee(attachment, user))) throw TicketError.notFound();
    return attachment;
  }

  /** The attachments of these comments, by comment id (for comments the caller already sees). */
  async ofComments(commentIds: readonly number[]): Promise<Map<number, TicketAttachmentEntity[]>> {
    const byComment = new Map<number, TicketAttachmentEntity[]>();
    for (const file of await this.attachments.ofComments(commentIds)) {
      const list = byComment.get(file.commentId ?? 0) ?? [];
      list.push(file);
      byComment.set(file.commentId ?? 0, list);
    }
    return byComment;
  }

  /**
   * The file to send: as a download always, `inline` only when asked and the bytes are a safe
   * raster image (PNG, JPEG, GIF, WebP). Its first chunk is decrypted and verified before
   * anything is sent, so a tampered or missing blob is refused with an error, not a 200; a
   * later chunk that fails ends the stream with an error (no unverified byte is ever sent).
   */
  async download(
    id: number,
    user: Readonly<UserEntity>,
    options: { inline: boolean },
  ): Promise<AttachmentDownload> {
    const attachment = await this.show(id, user);
    const inline = options.inline && this.isInlineImage(attachment);
    const stream = this.blobs.stream(attachment.blobId, attachmentBlobOwner(attachment.id));
    const body = await this.verifiedStream(stream, attachment);
    return {
      attachment,
      body,
      headers: {
        'Content-Type': attachment.contentType,
        'Content-Length': String(attachment.size),
        'Content-Disposition': contentDisposition(
          inline ? 'inline' : 'attachment',
          attachment.fileName,
        ),
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'Cache-Control': 'private, no-store',
      },
    };
  }

  /** Deletes the files that waited longer than UPLOAD_TTL_MS for a comment; returns how many. */
  @JobHandler({ name: EXPIRE_UPLOADS_JOB, payload: noPayload, cron: '0 23 * * * *', attempts: 3 })
  async expireUploads(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - UPLOAD_TTL_MS);
    let expired = 0;
    for (;;) {
      const due = await this.attachments.unattachedBefore(cutoff, EXPIRE_BATCH);
      await this.remove(due);
      expired += due.length;
      if (due.length < EXPIRE_BATCH) break;
    }
    if (expired > 0) this.logger.log(`deleted ${expired} expired upload(s)`);
    return expired;
  }

  /** Deletes the blobs, then the rows: a row never points at a blob that is gone for good. */
  private async remove(files: readonly TicketAttachmentEntity[]): Promise<void> {
    for (const file of files) await this.blobs.delete(file.blobId);
    await this.attachments.delete(files.map((file) => file.id));
  }

  /** Staff who may write a comment of any kind upload; so do end-users (for their requests). */
  private requireUploader(user: Readonly<UserEntity>): void {
    const staff =
      this.policy.can(user, 'tickets.comment_public') ||
      this.policy.can(user, 'tickets.comment_internal');
    if (staff || (user.role === 'end-user' && isActiveUser(user))) return;
    throw new StewardError(ErrorCode.Forbidden, 'You do not have access to upload attachments');
  }

  /** Whether these are the files of an upload of the user's that no comment took yet. */
  private pendingOf(files: readonly TicketAttachmentEntity[], user: Readonly<UserEntity>): boolean {
    return (
      files.length > 0 &&
      files.every((file) => file.uploaderId === user.id && file.commentId === null)
    );
  }

  private expiryOf(files: readonly TicketAttachmentEntity[]): Date {
    return new Date(files[0].createdAt.getTime() + UPLOAD_TTL_MS);
  }

  private isInlineImage(attachment: TicketAttachmentEntity): boolean {
    return ['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(attachment.contentType);
  }

  /**
   * Staff: the ticket inside their scope (internal notes included). Everyone else: a public
   * comment of a ticket they see through the Requests API (RequestService.accessTo: requester,
   * CCs, members of a sharing organization). An attachment no comment took yet: its uploader only.
   */
  private async maySee(
    attachment: TicketAttachmentEntity,
    user: Readonly<UserEntity>,
  ): Promise<boolean> {
    if (attachment.commentId === null || attachment.ticketId === null) {
      return attachment.uploaderId === user.id && isActiveUser(user);
    }
    const ticket = await this.tickets.findById(attachment.ticketId);
    if (!ticket) return false;
    if (this.policy.can(user, 'tickets.read')) {
      return scopeAllows(await this.ticketService.scopeOf(user), ticket);
    }
    const comment = await this.attachments.commentOf(attachment.commentId);
    if (!comment?.isPublic) return false;
    return requestShowsComment(await this.requests.accessTo(ticket, user), comment);
  }

  /** Waits for the first verified chunk; a blob that fails its checks is refused here. */
  private async verifiedStream(
    stream: Readable,
    attachment: TicketAttachmentEntity,
  ): Promise<Readable> {
    const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let first: IteratorResult<Buffer>;
    try {
      first = await iterator.next();
    } catch (error) {
      stream.destroy();
      throw this.unreadable(error, attachment);
    }
    const rest = async function* (): AsyncGenerator<Buffer> {
      try {
        if (first.done) return;
        yield first.value;
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          yield next.value;
        }
      } finally {
        // Also when the client goes away mid-download: close the blob's file.
        stream.destroy();
      }
    };
    return Readable.from(rest(), { objectMode: false });
  }

  private unreadable(error: unknown, attachment: TicketAttachmentEntity): unknown {
    if (error instanceof BlobIntegrityError) {
      this.logger.error(
        `attachment ${attachment.id} failed its integrity check (${error.problem}); not served`,
      );
      return new StewardError(
        ErrorCode.Internal,
        'The attachment is damaged: its stored bytes failed the integrity check, so it is not served',
      );
    }
    if (error instanceof BlobNotFoundError) {
      this.logger.error(`attachment ${attachment.id}: its blob is missing`);
      return new StewardError(ErrorCode.NotFound, 'The attachment’s file is missing');
    }
    return error;
  }
}
