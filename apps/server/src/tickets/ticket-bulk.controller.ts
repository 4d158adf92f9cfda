import {
  Body,
  Controller,
  Delete,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { TicketBulkService } from '@steward/tickets';
import type { Request } from 'express';
import { CurrentUser } from '../http/current-user';
import { idsQuery, recordId } from '../http/request-body';
import { type JobStatusResponseDto, toZendeskJobStatus } from '../job-statuses/job-status.dto';
import { ApiErrors, ApiIdsQuery, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import { createManyInput, mergeInput, updateManyInput } from './ticket-bulk.dto';
import { ticketActor } from './ticket-actor';

/**
 * Zendesk Support API v2: bulk ticket work and merges. Each answers at once with a queued job
 * status (`GET /api/v2/job_statuses/{id}`); the work runs as a job, item by item, as the
 * caller. Registered before TicketsController: `tickets/update_many` is not a ticket id.
 */
@ApiTags('Tickets')
@Controller('api/v2')
export class TicketBulkController {
  constructor(
    private readonly bulk: TicketBulkService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Post(['tickets/create_many.json', 'tickets/create_many'])
  @HttpCode(200)
  @RequirePermission('tickets.write')
  @ApiOperation({ summary: 'Create up to 100 tickets in a job' })
  @ApiBody({ schema: ref('TicketCreateManyRequest') })
  @ApiOkResponse({ description: 'The queued job status', schema: ref('JobStatusResponse') })
  @ApiErrors(400, 422)
  async createMany(
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<JobStatusResponseDto> {
    return this.respond(
      await this.bulk.createMany(createManyInput(body), ticketActor(user, request)),
    );
  }

  @Put(['tickets/update_many.json', 'tickets/update_many'])
  @RequirePermission('tickets.write')
  @ApiOperation({
    summary: 'Update up to 100 tickets in a job',
    description:
      'Either `?ids=1,2,3` with `{"ticket": {...}}` (the same change to each) or `{"tickets": [{"id": 1, ...}, ...]}`.',
  })
  @ApiIdsQuery('ticket', { required: false })
  @ApiBody({ schema: ref('TicketUpdateManyRequest') })
  @ApiOkResponse({ description: 'The queued job status', schema: ref('JobStatusResponse') })
  @ApiErrors(400, 422)
  async updateMany(
    @Query() query: unknown,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<JobStatusResponseDto> {
    const updates = updateManyInput(query, body);
    return this.respond(await this.bulk.updateMany(updates, ticketActor(user, request)));
  }

  @Delete(['tickets/destroy_many.json', 'tickets/destroy_many'])
  @RequirePermission('tickets.delete')
  @ApiOperation({ summary: 'Delete up to 100 tickets in a job' })
  @ApiIdsQuery('ticket')
  @ApiOkResponse({ description: 'The queued job status', schema: ref('JobStatusResponse') })
  @ApiErrors(422)
  async destroyMany(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<JobStatusResponseDto> {
    return this.respond(await this.bulk.destroyMany(idsQuery(query), ticketActor(user, request)));
  }

  @Post(['tickets/:id/merge.json', 'tickets/:id/merge'])
  @HttpCode(200)
  @RequirePermission('tickets.write')
  @ApiOperation({
    summary: 'Merge up to 5 tickets into this one, in a job',
    description:
      'Each source gets the source comment and is closed (tag `closed_by_merge`); the target gets the target comment and the sources’ requesters and CCs as CCs.',
  })
  @ApiRecordId('id', 'The ticket to merge into')
  @ApiBody({ schema: ref('TicketMergeRequest') })
  @ApiOkResponse({ description: 'The queued job status', schema: ref('JobStatusResponse') })
  @ApiErrors(404, 422)
  async merge(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
    @Req() request: Request,
  ): Promise<JobStatusResponseDto> {
    const targetId = recordId(id);
    const input = mergeInput(body);
    return this.respond(await this.bulk.merge(targetId, input, ticketActor(user, request)));
  }

  private respond(job: Parameters<typeof toZendeskJobStatus>[0]): JobStatusResponseDto {
    return { job_status: toZendeskJobStatus(job, this.config.publicUrl) };
  }
}
