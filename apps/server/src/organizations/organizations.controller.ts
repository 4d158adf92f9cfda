import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { OrganizationService, type UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { actorOf, pageRequest, recordId } from '../http/request-body';
import { CurrentUser } from '../http/current-user';
import { ApiErrors, ApiPage, ApiRecordId } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import {
  organizationInput,
  toOrganizationList,
  toZendeskOrganization,
  type OrganizationListDto,
  type OrganizationResponseDto,
} from './organization.dto';

/** Zendesk Support API v2: Organizations. */
@ApiTags('Organizations')
@Controller('api/v2')
export class OrganizationsController {
  constructor(
    private readonly organizations: OrganizationService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['organizations.json', 'organizations'])
  @RequirePermission('organizations.read')
  @ApiOperation({ summary: 'List organizations' })
  @ApiPage()
  @ApiOkResponse({ description: 'A page of organizations', schema: ref('OrganizationList') })
  @ApiErrors(422)
  async list(@Query() query: unknown): Promise<OrganizationListDto> {
    const request = pageRequest(query);
    return toOrganizationList(
      await this.organizations.list(request),
      request,
      this.config.publicUrl,
    );
  }

  @Get(['organizations/:id.json', 'organizations/:id'])
  @RequirePermission('organizations.read')
  @ApiOperation({ summary: 'Show an organization' })
  @ApiRecordId('id', 'The organization')
  @ApiOkResponse({ description: 'The organization', schema: ref('OrganizationResponse') })
  @ApiErrors(404)
  async show(@Param('id') id: string): Promise<OrganizationResponseDto> {
    return this.respond(await this.organizations.show(recordId(id)));
  }

  @Post(['organizations.json', 'organizations'])
  @RequirePermission('organizations.manage')
  @ApiOperation({ summary: 'Create an organization' })
  @ApiBody({ schema: ref('OrganizationRequest') })
  @ApiCreatedResponse({ description: 'The new organization', schema: ref('OrganizationResponse') })
  @ApiErrors(400, 422)
  async create(
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<OrganizationResponseDto> {
    return this.respond(await this.organizations.create(organizationInput(body), actorOf(user)));
  }

  @Put(['organizations/:id.json', 'organizations/:id'])
  @RequirePermission('organizations.manage')
  @ApiOperation({ summary: 'Update an organization' })
  @ApiRecordId('id', 'The organization')
  @ApiBody({ schema: ref('OrganizationRequest') })
  @ApiOkResponse({ description: 'The organization', schema: ref('OrganizationResponse') })
  @ApiErrors(400, 404, 422)
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<OrganizationResponseDto> {
    return this.respond(
      await this.organizations.update(recordId(id), organizationInput(body), actorOf(user)),
    );
  }

  @Delete(['organizations/:id.json', 'organizations/:id'])
  @HttpCode(204)
  @RequirePermission('organizations.manage')
  @ApiOperation({ summary: 'Delete an organization' })
  @ApiRecordId('id', 'The organization')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404)
  async delete(@Param('id') id: string, @CurrentUser() user: Readonly<UserEntity>): Promise<void> {
    await this.organizations.delete(recordId(id), actorOf(user));
  }

  private respond(
    organization: Parameters<typeof toZendeskOrganization>[0],
  ): OrganizationResponseDto {
    return { organization: toZendeskOrganization(organization, this.config.publicUrl) };
  }
}
