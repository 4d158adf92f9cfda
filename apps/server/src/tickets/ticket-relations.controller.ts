import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { TicketRelationsService } from '@steward/tickets';
import { CurrentUser } from '../http/current-user';
import { pageRequest, recordId } from '../http/request-body';
import { ApiErrors, ApiPage, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import { type TicketListDto, toTicketList } from './ticket.dto';
import { type TicketRelatedDto, toTicketRelated } from './ticket-relations.dto';

/**
 * Zendesk Support API v2: a ticket's related information and a problem's incidents; both hold
 * only the tickets the caller may see.
 */
@ApiTags('Tickets')
@Controller('api/v2')
export class TicketRelationsController {
  constructor(
    private readonly relations: TicketRelationsService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['tickets/:id/related.json', 'tickets/:id/related'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: "A ticket's related information (its incidents, for a problem)" })
  @ApiRecordId('id', 'The ticket')
  @ApiOkResponse({ description: 'Related information', schema: ref('TicketRelatedResponse') })
  @ApiErrors(404)
  async related(
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<TicketRelatedDto> {
    return toTicketRelated(await this.relations.related(recordId(id), user));
  }

  @Get(['tickets/:id/incidents.json', 'tickets/:id/incidents'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: "List a problem's incidents (those the caller may see)" })
  @ApiRecordId('id', 'The problem ticket')
  @ApiPage()
  @ApiOkResponse({ description: 'A page of incidents', schema: ref('TicketList') })
  @ApiErrors(404, 422)
  async incidents(
    @Param('id') id: string,
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<TicketListDto> {
    const ticketId = recordId(id);
    const request = pageRequest(query);
    return toTicketList(
      await this.relations.incidents(ticketId, user, request),
      request,
      `${this.config.publicUrl}/api/v2/tickets/${ticketId}/incidents.json`,
      this.config.publicUrl,
    );
  }
}
