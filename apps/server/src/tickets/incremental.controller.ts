import { applyDecorators, Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { UserEntity } from '@steward/identity';
import { Clock, STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { exportStartOf, MAX_EXPORT_PAGE, TicketExportService } from '@steward/tickets';
import { CurrentUser } from '../http/current-user';
import { ApiErrors } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import {
  INCREMENTAL_EXPORT_RATE_LIMIT,
  IncrementalRateLimitGuard,
} from './incremental-rate-limit.guard';
import {
  exportCursor,
  exportPerPage,
  exportStartTime,
  type IncrementalCursorPageDto,
  type IncrementalTimePageDto,
  toCursorPage,
  toTimePage,
} from './incremental.dto';

const LIMITS =
  `Admins only (tickets.export); at most ${INCREMENTAL_EXPORT_RATE_LIMIT} requests a minute. ` +
  'Tickets come in the order they changed, deleted ones with status "deleted", without ' +
  'comments; changes of the last minute come on a later request. `include` is ignored.';

/**
 * Zendesk Support API v2: Incremental Exports, for tickets. Every ticket that changed since a
 * time, for copying Steward's tickets into another system and keeping the copy current.
 */
@ApiTags('Incremental Export')
@Controller('api/v2/incremental')
@UseGuards(IncrementalRateLimitGuard)
export class IncrementalController {
  constructor(
    private readonly exports: TicketExportService,
    private readonly clock: Clock,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['tickets/cursor.json', 'tickets/cursor'])
  @RequirePermission('tickets.export')
  @ApiOperation({
    summary: 'Export the tickets that changed since a time, a page after a cursor at a time',
    description: `Start with start_time, then follow after_url until end_of_stream; keep after_cursor to ask again later. ${LIMITS}`,
  })
  @ApiQuery({
    name: 'start_time',
    required: false,
    description: 'Unix seconds; required without a cursor',
    schema: { type: 'integer', minimum: 0 },
  })
  @ApiQuery({
    name: 'cursor',
    required: false,
    description: 'The after_cursor of an earlier page; start_time is then ignored',
    schema: { type: 'string' },
  })
  @ApiExportPage()
  @ApiOkResponse({ description: 'A page of tickets', schema: ref('IncrementalTicketCursorPage') })
  @ApiErrors(400, 429)
  async cursor(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<IncrementalCursorPageDto> {
    const perPage = exportPerPage(query);
    const after = exportCursor(query) ?? exportStartOf(exportStartTime(query, this.clock.now()));
    return toCursorPage(
      await this.exports.page(user, after, perPage),
      perPage,
      `${this.config.publicUrl}/api/v2/incremental/tickets/cursor.json`,
      this.config.publicUrl,
    );
  }

  @Get(['tickets.json', 'tickets'])
  @RequirePermission('tickets.export')
  @ApiOperation({
    summary: 'Export the tickets that changed since a time, a page from a start time at a time',
    description: `Follow next_page until end_of_stream; a page may repeat tickets of the second it starts in. ${LIMITS}`,
  })
  @ApiQuery({
    name: 'start_time',
    required: true,
    description: 'Unix seconds',
    schema: { type: 'integer', minimum: 0 },
  })
  @ApiExportPage()
  @ApiOkResponse({ description: 'A page of tickets', schema: ref('IncrementalTicketTimePage') })
  @ApiErrors(400, 429)
  async time(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<IncrementalTimePageDto> {
    const perPage = exportPerPage(query);
    const startTime = exportStartTime(query, this.clock.now());
    return toTimePage(
      await this.exports.since(user, startTime, perPage),
      perPage,
      `${this.config.publicUrl}/api/v2/incremental/tickets.json`,
      this.config.publicUrl,
    );
  }
}

/** `per_page` of the export, and `include`, accepted and ignored. */
function ApiExportPage(): MethodDecorator {
  return applyDecorators(
    ApiQuery({
      name: 'per_page',
      required: false,
      description: `Tickets per page; more than ${MAX_EXPORT_PAGE} is cut to ${MAX_EXPORT_PAGE}`,
      schema: { type: 'integer', minimum: 1, default: MAX_EXPORT_PAGE },
    }),
    ApiQuery({
      name: 'include',
      required: false,
      description: 'Ignored: no side-loads yet',
      schema: { type: 'string' },
    }),
  );
}
