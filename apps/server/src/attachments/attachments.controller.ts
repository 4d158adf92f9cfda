import { pipeline } from 'node:stream/promises';
import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Logger,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { UserEntity } from '@steward/identity';
import { ErrorCode, STEWARD_CONFIG, StewardError, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { AttachmentService } from '@steward/tickets';
import type { Request, Response } from 'express';
import { CurrentUser } from '../http/current-user';
import { recordId } from '../http/request-body';
import { ApiErrors, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import {
  type AttachmentResponseDto,
  type UploadResponseDto,
  toZendeskAttachment,
  toZendeskUpload,
} from './attachment.dto';

/** The query parameters of an upload: `filename` (required) and `token` (to add to one). */
function uploadQuery(query: unknown): { fileName: string; token?: string } {
  const object = (typeof query === 'object' && query !== null ? query : {}) as Record<
    string,
    unknown
  >;
  const fileName = object.filename;
  const token = object.token;
  if (typeof fileName !== 'string' || fileName.trim() === '') {
    throw new StewardError(ErrorCode.Invalid, 'Record validation errors', {
      filename: ['is required: POST /api/v2/uploads.json?filename=report.pdf'],
    });
  }
  if (token !== undefined && (typeof token !== 'string' || token === '')) {
    throw new StewardError(ErrorCode.Invalid, 'Record validation errors', {
      token: ['must be the token of an upload'],
    });
  }
  return { fileName, token };
}

/**
 * Zendesk Support API v2: Attachments and uploads. A file is uploaded first (raw bytes, its
 * type sniffed, stored encrypted) and attached by its upload token in a ticket comment
 * (`comment.uploads`). Every signed-in user reaches these routes; the attachment service
 * decides who may upload and who may see which file (404 for the others).
 */
@ApiTags('Attachments')
@Controller('api/v2')
export class AttachmentsController {
  private readonly logger = new Logger('Attachments');

  constructor(
    private readonly attachments: AttachmentService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Post(['uploads.json', 'uploads'])
  @RequirePermission('users.me')
  @ApiOperation({
    summary: 'Upload a file, to attach it to a comment by the returned token',
    description:
      'The body is the file itself (any Content-Type; the type is sniffed from the bytes). At most STEWARD_ATTACHMENT_MAX_MB. An upload that no comment takes within 3 days is deleted.',
  })
  @ApiQuery({ name: 'filename', required: true, schema: { type: 'string' } })
  @ApiQuery({
    name: 'token',
    required: false,
    description: 'Add the file to this upload of yours',
    schema: { type: 'string' },
  })
  @ApiBody({
    description: 'The file',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiCreatedResponse({ description: 'The upload', schema: ref('UploadResponse') })
  @ApiErrors(413, 422)
  async upload(
    @Query() query: unknown,
    @Req() request: Request,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<UploadResponseDto> {
    const { fileName, token } = uploadQuery(query);
    const body: unknown = request.body;
    const data = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    const upload = await this.attachments.upload({ fileName, data, token }, user);
    return { upload: toZendeskUpload(upload, this.config.publicUrl) };
  }

  @Delete(['uploads/:token.json', 'uploads/:token'])
  @HttpCode(204)
  @RequirePermission('users.me')
  @ApiOperation({ summary: 'Delete an upload of yours that no comment took yet' })
  @ApiParam({ name: 'token', description: 'The upload token', schema: { type: 'string' } })
  @ApiNoContentResponse({ description: 'Deleted, with its files' })
  @ApiErrors(404)
  async deleteUpload(
    @Param('token') token: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<void> {
    await this.attachments.deleteUpload(token, user);
  }

  @Get(['attachments/:id.json', 'attachments/:id'])
  @RequirePermission('users.me')
  @ApiOperation({ summary: "Show an attachment's metadata" })
  @ApiRecordId('id', 'The attachment')
  @ApiOkResponse({ description: 'The attachment', schema: ref('AttachmentResponse') })
  @ApiErrors(404)
  async show(
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<AttachmentResponseDto> {
    const attachment = await this.attachments.show(recordId(id), user);
    return { attachment: toZendeskAttachment(attachment, this.config.publicUrl) };
  }

  @Get('attachments/:id/download')
  @RequirePermission('users.me')
  @ApiOperation({
    summary: "Download an attachment's file (its content_url)",
    description:
      'Always a download (Content-Disposition: attachment, nosniff, a sandboxing CSP); with inline=1 a PNG, JPEG, GIF or WebP image is served inline. A file whose stored bytes fail the integrity check is refused (500).',
  })
  @ApiRecordId('id', 'The attachment')
  @ApiQuery({
    name: 'inline',
    required: false,
    description: '1: show a safe raster image inline',
    schema: { type: 'string', enum: ['1', 'true'] },
  })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The file', schema: { type: 'string', format: 'binary' } })
  @ApiErrors(404)
  async download(
    @Param('id') id: string,
    @Query('inline') inline: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Res() response: Response,
  ): Promise<void> {
    const download = await this.attachments.download(recordId(id), user, {
      inline: inline === '1' || inline === 'true',
    });
    response.status(200).set(download.headers);
    try {
      await pipeline(download.body, response);
    } catch (error) {
      // Headers are sent: the only refusal left is to cut the response short.
      this.logger.error(
        `attachment ${download.attachment.id}: download failed: ${(error as Error).message}`,
      );
      response.destroy();
    }
  }
}
