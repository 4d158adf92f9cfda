import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuditLog, type AuditPage } from '@steward/audit';
import { ErrorCode, STEWARD_CONFIG, StewardError, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { recordId } from '../http/request-body';
import { ApiErrors, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import {
  auditQuery,
  nextLink,
  toZendeskAuditLog,
  type AuditLogListDto,
  type AuditLogResponseDto,
} from './audit-log.dto';

/** Zendesk Support API v2: Audit Logs, over Steward's hash-chained audit log (newest first). */
@ApiTags('Audit Logs')
@Controller('api/v2')
export class AuditLogsController {
  constructor(
    private readonly audit: AuditLog,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['audit_logs.json', 'audit_logs'])
  @RequirePermission('audit_logs.read')
  @ApiOperation({ summary: 'List audit log entries, newest first' })
  @ApiQuery({ name: 'filter[action]', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'filter[actor_id]', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'filter[source_type]', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'filter[source_id]', required: false, schema: { type: 'string' } })
  @ApiQuery({
    name: 'filter[created_at][]',
    required: false,
    description: 'Twice: from and to (ISO 8601)',
    schema: { type: 'array', items: { type: 'string', format: 'date-time' } },
  })
  @ApiQuery({
    name: 'page[size]',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 100 },
  })
  @ApiQuery({
    name: 'page[after]',
    required: false,
    description: 'The `meta.after_cursor` of the previous page',
    schema: { type: 'string' },
  })
  @ApiOkResponse({ description: 'A page of entries', schema: ref('AuditLogList') })
  @ApiErrors(422)
  async list(@Query() query: unknown): Promise<AuditLogListDto> {
    return this.page(await this.audit.query(auditQuery(query)), query);
  }

  @Get(['audit_logs/:id.json', 'audit_logs/:id'])
  @RequirePermission('audit_logs.read')
  @ApiOperation({ summary: 'Show an audit log entry' })
  @ApiRecordId('id', 'The entry')
  @ApiOkResponse({ description: 'The entry', schema: ref('AuditLogResponse') })
  @ApiErrors(404)
  async show(@Param('id') id: string): Promise<AuditLogResponseDto> {
    const entry = await this.audit.find(recordId(id));
    if (!entry) throw new StewardError(ErrorCode.NotFound, 'Not found');
    return { audit_log: toZendeskAuditLog(entry, this.config.publicUrl) };
  }

  private page(page: AuditPage, query: unknown): AuditLogListDto {
    const url = `${this.config.publicUrl}/api/v2/audit_logs.json`;
    const after = page.nextCursor ?? null;
    return {
      audit_logs: page.entries.map((entry) => toZendeskAuditLog(entry, this.config.publicUrl)),
      meta: { has_more: after !== null, after_cursor: after, before_cursor: null },
      links: { prev: null, next: after === null ? null : nextLink(url, query, after) },
    };
  }
}
