import type { MarkedRedactionInput } from '@steward/tickets';
import { invalidField, isObject, own, recordIdField } from '../http/request-body';
import type { ZendeskAttachment } from '../attachments/attachment.dto';
import type { ZendeskComment } from './ticket.dto';

export interface CommentResponseDto {
  comment: ZendeskComment;
}

export interface AttachmentRedactionDto {
  attachment: ZendeskAttachment;
}

/** `{"text": "…"}` of a redaction: the string, checked by the service. */
export function redactionText(body: unknown): unknown {
  if (!isObject(body) || own(body, 'text') === undefined) {
    throw invalidField('text', 'is required: send {"text": "the string to redact"}');
  }
  return own(body, 'text');
}

/** `{"ticket_id": 1, "html_body": "…<redact>…</redact>…"}` of Zendesk's comment redaction. */
export function markedRedaction(body: unknown): MarkedRedactionInput {
  if (!isObject(body)) throw invalidField('ticket_id', 'is required');
  const ticketId = recordIdField(body, 'ticket_id');
  const htmlBody = own(body, 'html_body');
  const external = own(body, 'external_attachment_urls');
  if (external !== undefined && !(Array.isArray(external) && external.length === 0)) {
    throw invalidField(
      'external_attachment_urls',
      'is not supported: Steward has no external files',
    );
  }
  if (typeof htmlBody !== 'string') {
    throw invalidField('html_body', 'is required: the comment with <redact>…</redact> marks');
  }
  return { ticketId, htmlBody };
}
