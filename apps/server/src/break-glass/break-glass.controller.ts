import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { BreakGlassService, type BreakGlassGrant, type UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { RequireRecentAuthentication } from '../auth/current-session';
import { CurrentUser } from '../http/current-user';
import { pageRequest, recordId } from '../http/request-body';
import { ApiErrors, ApiPage, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import {
  breakGlassGrantQuery,
  breakGlassReason,
  toBreakGlassGrantList,
  toZendeskBreakGlassGrant,
  type BreakGlassGrantListDto,
  type BreakGlassGrantResponseDto,
} from './break-glass.dto';

/** Steward's own: audited, time-limited access of an admin to a confidential group's content. */
@ApiTags('Break-glass')
@Controller('api/v2')
export class BreakGlassController {
  constructor(
    private readonly breakGlass: BreakGlassService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  /**
   * Opens a grant for the caller with `{"reason": "..."}`; 201 with the grant. A sensitive
   * action: a cookie session must have proven the password recently (API tokens are not asked).
   */
  @Post(['groups/:id/break_glass.json', 'groups/:id/break_glass'])
  @RequirePermission('groups.break_glass')
  @RequireRecentAuthentication()
  @ApiOperation({
    summary: "Open break-glass access to a confidential group's content",
    description: 'Audited with the reason; lasts STEWARD_BREAK_GLASS_TTL minutes.',
  })
  @ApiRecordId('id', 'The confidential group')
  @ApiBody({ schema: ref('BreakGlassRequest') })
  @ApiCreatedResponse({ description: 'The grant', schema: ref('BreakGlassGrantResponse') })
  @ApiErrors(400, 404, 422)
  async open(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<BreakGlassGrantResponseDto> {
    return this.respond(await this.breakGlass.open(recordId(id), breakGlassReason(body), user));
  }

  @Get(['break_glass_grants.json', 'break_glass_grants'])
  @RequirePermission('groups.break_glass')
  @ApiOperation({ summary: 'List break-glass grants (every administrator sees all)' })
  @ApiPage()
  @ApiQuery({ name: 'group_id', required: false, schema: { type: 'integer', minimum: 1 } })
  @ApiQuery({ name: 'active', required: false, schema: { type: 'boolean' } })
  @ApiOkResponse({ description: 'A page of grants', schema: ref('BreakGlassGrantList') })
  @ApiErrors(422)
  async list(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<BreakGlassGrantListDto> {
    const request = pageRequest(query);
    const filter = breakGlassGrantQuery(query);
    const page = await this.breakGlass.list(user, filter, request);
    return toBreakGlassGrantList(page, request, filter, this.config.publicUrl);
  }

  @Get(['break_glass_grants/:id.json', 'break_glass_grants/:id'])
  @RequirePermission('groups.break_glass')
  @ApiOperation({ summary: 'Show a break-glass grant' })
  @ApiRecordId('id', 'The grant')
  @ApiOkResponse({ description: 'The grant', schema: ref('BreakGlassGrantResponse') })
  @ApiErrors(404)
  async show(
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<BreakGlassGrantResponseDto> {
    return this.respond(await this.breakGlass.show(recordId(id), user));
  }

  /** Ends a grant before it expires; 204 also when it had already ended or expired. */
  @Delete(['break_glass_grants/:id.json', 'break_glass_grants/:id'])
  @HttpCode(204)
  @RequirePermission('groups.break_glass')
  @ApiOperation({ summary: 'End a break-glass grant before it expires' })
  @ApiRecordId('id', 'The grant')
  @ApiNoContentResponse({ description: 'Ended (or had already ended)' })
  @ApiErrors(404)
  async end(@Param('id') id: string, @CurrentUser() user: Readonly<UserEntity>): Promise<void> {
    await this.breakGlass.end(recordId(id), user);
  }

  private respond(grant: BreakGlassGrant): BreakGlassGrantResponseDto {
    return { break_glass_grant: toZendeskBreakGlassGrant(grant, this.config.publicUrl) };
  }
}
