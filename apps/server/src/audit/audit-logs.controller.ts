import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { AuditLog, type AuditPage } from '@steward/audit';
import { ErrorCode, STEWARD_CONFIG, StewardError, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { recordId } from '../http/request-body';
import {
  auditQuery,
  nextLink,
  toZendeskAuditLog,
  type AuditLogListDto,
  type AuditLogResponseDto,
} from './audit-log.dto';

/** Zendesk Support API v2: Audit Logs, over Steward's hash-chained audit log (newest first). */
@Controller('api/v2')
export class AuditLogsController {
  constructor(
    private readonly audit: AuditLog,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['audit_logs.json', 'audit_logs'])
  @RequirePermission('audit_logs.read')
  async list(@Query() query: unknown): Promise<AuditLogListDto> {
    return this.page(await this.audit.query(auditQuery(query)), query);
  }

  @Get(['audit_logs/:id.json', 'audit_logs/:id'])
  @RequirePermission('audit_logs.read')
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
