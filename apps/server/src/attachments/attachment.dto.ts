import type { TicketAttachmentEntity, UploadView } from '@steward/tickets';
import { zendeskTime } from '../users/user.dto';

/** An attachment in the Zendesk Support API v2 shape (no thumbnails, no malware scan yet). */
export interface ZendeskAttachment {
  url: string;
  id: number;
  file_name: string;
  content_url: string;
  mapped_content_url: string;
  /** Sniffed from the bytes; never the type the client sent. */
  content_type: string;
  size: number;
  width: null;
  height: null;
  inline: boolean;
  deleted: boolean;
  thumbnails: never[];
}

export interface AttachmentResponseDto {
  attachment: ZendeskAttachment;
}

export interface ZendeskUpload {
  token: string;
  expires_at: string;
  attachments: ZendeskAttachment[];
  /** The file this request added. */
  attachment: ZendeskAttachment;
}

export interface UploadResponseDto {
  upload: ZendeskUpload;
}

export function toZendeskAttachment(
  attachment: TicketAttachmentEntity,
  publicUrl: string,
): ZendeskAttachment {
  const download = `${publicUrl}/api/v2/attachments/${attachment.id}/download`;
  return {
    url: `${publicUrl}/api/v2/attachments/${attachment.id}.json`,
    id: attachment.id,
    file_name: attachment.fileName,
    content_url: download,
    mapped_content_url: download,
    content_type: attachment.contentType,
    size: attachment.size,
    width: null,
    height: null,
    inline: false,
    deleted: false,
    thumbnails: [],
  };
}

export function toZendeskUpload(upload: UploadView, publicUrl: string): ZendeskUpload {
  const attachments = upload.attachments.map((a) => toZendeskAttachment(a, publicUrl));
  return {
    token: upload.token,
    expires_at: zendeskTime(upload.expiresAt),
    attachments,
    attachment: attachments[attachments.length - 1],
  };
}
