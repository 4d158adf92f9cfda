import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { TicketFieldService, type TicketFieldView } from '@steward/tickets';
import { CurrentUser } from '../http/current-user';
import { recordId } from '../http/request-body';
import { ApiErrors, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import {
  ticketFieldInput,
  type TicketFieldListDto,
  type TicketFieldResponseDto,
  toZendeskTicketField,
} from './ticket-field.dto';

/**
 * Zendesk Support API v2: Ticket Fields (custom fields only; Steward's system fields are the
 * ticket's own properties). Everyone who reads tickets reads the definitions; only admins
 * (`ticket_fields.manage`) change them.
 */
@ApiTags('Ticket fields')
@Controller('api/v2')
export class TicketFieldsController {
  constructor(
    private readonly fields: TicketFieldService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['ticket_fields.json', 'ticket_fields'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'List the custom ticket fields, by position (active and inactive)' })
  @ApiOkResponse({ description: 'Every ticket field, in one page', schema: ref('TicketFieldList') })
  async list(@CurrentUser() user: Readonly<UserEntity>): Promise<TicketFieldListDto> {
    const views = await this.fields.list(user);
    return {
      ticket_fields: views.map((view) => toZendeskTicketField(view, this.config.publicUrl)),
      next_page: null,
      previous_page: null,
      count: views.length,
    };
  }

  @Get(['ticket_fields/:id.json', 'ticket_fields/:id'])
  @RequirePermission('tickets.read')
  @ApiOperation({ summary: 'Show a ticket field' })
  @ApiRecordId('id', 'The ticket field')
  @ApiOkResponse({ description: 'The ticket field', schema: ref('TicketFieldResponse') })
  @ApiErrors(404)
  async show(
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<TicketFieldResponseDto> {
    return this.respond(await this.fields.show(recordId(id), user));
  }

  @Post(['ticket_fields.json', 'ticket_fields'])
  @RequirePermission('ticket_fields.manage')
  @ApiOperation({
    summary: 'Create a ticket field',
    description:
      'Types: text, textarea, integer, decimal, checkbox, date, tagger (drop-down), multiselect, regexp. Drop-down and multi-select fields need custom_field_options; regexp fields a regexp_for_validation.',
  })
  @ApiBody({ schema: ref('TicketFieldRequest') })
  @ApiCreatedResponse({ description: 'The new ticket field', schema: ref('TicketFieldResponse') })
  @ApiErrors(400, 422)
  async create(
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<TicketFieldResponseDto> {
    return this.respond(await this.fields.create(ticketFieldInput(body), user));
  }

  @Put(['ticket_fields/:id.json', 'ticket_fields/:id'])
  @RequirePermission('ticket_fields.manage')
  @ApiOperation({
    summary: 'Change a ticket field (its type stays as created)',
    description:
      'custom_field_options, when sent, replace the options; an option sent with its id keeps it.',
  })
  @ApiRecordId('id', 'The ticket field')
  @ApiBody({ schema: ref('TicketFieldRequest') })
  @ApiOkResponse({ description: 'The ticket field', schema: ref('TicketFieldResponse') })
  @ApiErrors(400, 404, 422)
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<TicketFieldResponseDto> {
    return this.respond(await this.fields.update(recordId(id), ticketFieldInput(body), user));
  }

  @Delete(['ticket_fields/:id.json', 'ticket_fields/:id'])
  @HttpCode(204)
  @RequirePermission('ticket_fields.manage')
  @ApiOperation({ summary: "Delete a ticket field and every ticket's value of it" })
  @ApiRecordId('id', 'The ticket field')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404)
  async delete(@Param('id') id: string, @CurrentUser() user: Readonly<UserEntity>): Promise<void> {
    await this.fields.delete(recordId(id), user);
  }

  private respond(view: TicketFieldView): TicketFieldResponseDto {
    return { ticket_field: toZendeskTicketField(view, this.config.publicUrl) };
  }
}
