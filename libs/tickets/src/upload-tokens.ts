import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AttachmentRepository } from './attachment.repository';
import { TicketError } from './ticket.errors';

/** How many uploads one comment may take. */
export const MAX_UPLOADS_PER_COMMENT = 20;

/** A new upload token: 32 random bytes, url-safe. Only its hash is stored. */
export function newUploadToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps of an upload token. */
export function hashUploadToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether a string can be an upload token at all (before any lookup). */
export function isUploadTokenShape(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

/**
 * Attaching uploads to a comment, as part of writing it (inside the ticket's transaction): a
 * token counts only for the user who uploaded its files, and only until a comment took them.
 */
@Injectable()
export class UploadTokens {
  constructor(private readonly attachments: AttachmentRepository) {}

  /** Gives the uploads' files to the comment; an unknown, foreign or used token is a 422. */
  async attach(
    tokens: readonly string[],
    uploaderId: number,
    target: { ticketId: number; commentId: number },
  ): Promise<void> {
    if (tokens.length === 0) return;
    const unique = [...new Set(tokens)];
    if (unique.length > MAX_UPLOADS_PER_COMMENT) {
      throw TicketError.invalid(
        'uploads',
        `at most ${MAX_UPLOADS_PER_COMMENT} uploads per comment`,
      );
    }
    const hashes: string[] = [];
    let files = 0;
    for (const token of unique) {
      const hash = hashUploadToken(token);
      const upload = isUploadTokenShape(token) ? await this.attachments.ofUpload(hash) : [];
      const usable =
        upload.length > 0 &&
        upload.every((file) => file.uploaderId === uploaderId && file.commentId === null);
      // One answer for unknown, someone else's and already attached: a token reveals nothing.
      if (!usable) {
        throw TicketError.invalid('uploads', 'names an upload that does not exist or was used');
      }
      hashes.push(hash);
      files += upload.length;
    }
    // A comment written at the same moment may have taken some of them since they were read.
    if ((await this.attachments.attach(hashes, target)) !== files) {
      throw TicketError.invalid('uploads', 'names an upload that does not exist or was used');
    }
  }
}
