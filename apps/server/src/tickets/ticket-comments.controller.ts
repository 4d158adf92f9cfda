import { Body, Controller, Inject, Param, Put, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import {
  AttachmentService,
  CommentRedactionService,
  type TicketCommentEntity,
} from '@steward/tickets';
import type { Request } from 'express';
import { toZendeskAttachment } from '../attachments/attachment.dto';
import { CurrentUser } from '../http/current-user';
import { recordId } from '../http/request-body';
import { ApiErrors, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import { toZendeskComment } from './ticket.dto';
import {
  type AttachmentRedactionDto,
  type CommentResponseDto,
  markedRedaction,
  redactionText,
} from './ticket-comments.dto';
import { ticketActor } from './ticket-actor';

/**
 * Zendesk Support API v2: Ticket Comments — the changes a written comment may undergo:
 * redaction (of a string, or of an attachment) and making a public reply private. Each is
 * permanent and leaves an event on the ticket's audits, never the removed content.
 */
@ApiTags('Tickets')
@Controller('api/v2')
export class TicketCommentsController {
  constructor(
    private readonly redaction: CommentRedactionService,
    private readonly attachments: AttachmentService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Put(['tickets/:ticket_id/comments/:id/redact.json', 'tickets/:ticket_id/comments/:id/redact'])
  @RequirePermission('tickets.write')
  @ApiOperation({
    summary: 'Redact a string in a comment',
    description:
      'Replaces every occurrence of `text` (exact match) in the body and the HTML with one ▇ per character; also on closed tickets.',
  })
  @ApiRecordId('ticket_id', 'The ticket')
  @ApiRecordId('id', 'The comment')
  @ApiBody({ schema: ref('CommentRedactionRequest') })
  @ApiOkResponse({ description: 'The comment, redacted', schema: ref('TicketCommentResponse') })
  @ApiErrors(400, 404, 422)
  async redact(
    @Param('ticket_id') ticketId: string,
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<CommentResponseDto> {
    const text = redactionText(body);
    const comment = await this.redaction.redact(
      recordId(ticketId),
      recordId(id),
      text,
      ticketActor(user, request),
    );
    return this.respond(comment);
  }

  @Put(['comment_redactions/:id.json', 'comment_redactions/:id'])
  @RequirePermission('tickets.write')
  @ApiOperation({
    summary: 'Redact what <redact> marks in a comment',
    description:
      'Send the comment’s HTML with `<redact>…</redact>` around each string to remove; each is redacted everywhere in the comment.',
  })
  @ApiRecordId('id', 'The comment')
  @ApiBody({ schema: ref('MarkedRedactionRequest') })
  @ApiOkResponse({ description: 'The comment, redacted', schema: ref('TicketCommentResponse') })
  @ApiErrors(400, 404, 422)
  async redactMarked(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<CommentResponseDto> {
    const input = markedRedaction(body);
    return this.respond(
      await this.redaction.redactMarked(recordId(id), input, ticketActor(user, request)),
    );
  }

  @Put([
    'tickets/:ticket_id/comments/:comment_id/attachments/:id/redact.json',
    'tickets/:ticket_id/comments/:comment_id/attachments/:id/redact',
  ])
  @RequirePermission('tickets.write')
  @ApiOperation({
    summary: 'Redact an attachment of a comment',
    description:
      'Deletes the file’s bytes; an empty `redacted.txt` takes its place under the same id.',
  })
  @ApiRecordId('ticket_id', 'The ticket')
  @ApiRecordId('comment_id', 'The comment')
  @ApiRecordId('id', 'The attachment')
  @ApiOkResponse({ description: 'The placeholder', schema: ref('AttachmentResponse') })
  @ApiErrors(404)
  async redactAttachment(
    @Param('ticket_id') ticketId: string,
    @Param('comment_id') commentId: string,
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<AttachmentRedactionDto> {
    const attachment = await this.redaction.redactAttachment(
      recordId(ticketId),
      recordId(commentId),
      recordId(id),
      ticketActor(user, request),
    );
    return { attachment: toZendeskAttachment(attachment, this.config.publicUrl) };
  }

  @Put([
    'tickets/:ticket_id/comments/:id/make_private.json',
    'tickets/:ticket_id/comments/:id/make_private',
  ])
  @RequirePermission('tickets.write')
  @ApiOperation({
    summary: 'Make a public reply an internal note',
    description:
      'Permanent. Needs tickets.write and tickets.comment_internal; the ticket stops being public when no public reply is left.',
  })
  @ApiRecordId('ticket_id', 'The ticket')
  @ApiRecordId('id', 'The comment')
  @ApiOkResponse({ description: 'The comment', schema: ref('TicketCommentResponse') })
  @ApiErrors(404)
  async makePrivate(
    @Param('ticket_id') ticketId: string,
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<CommentResponseDto> {
    return this.respond(
      await this.redaction.makePrivate(
        recordId(ticketId),
        recordId(id),
        ticketActor(user, request),
      ),
    );
  }

  private async respond(comment: TicketCommentEntity): Promise<CommentResponseDto> {
    const files = (await this.attachments.ofComments([comment.id])).get(comment.id) ?? [];
    return {
      comment: toZendeskComment(
        comment,
        files.map((file) => toZendeskAttachment(file, this.config.publicUrl)),
      ),
    };
  }
}
