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
import { OrganizationService, type UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { actorOf, pageRequest, recordId } from '../http/request-body';
import { CurrentUser } from '../http/current-user';
import {
  organizationInput,
  toOrganizationList,
  toZendeskOrganization,
  type OrganizationListDto,
  type OrganizationResponseDto,
} from './organization.dto';

/** Zendesk Support API v2: Organizations. */
@Controller('api/v2')
export class OrganizationsController {
  constructor(
    private readonly organizations: OrganizationService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['organizations.json', 'organizations'])
  @RequirePermission('organizations.read')
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
  async show(@Param('id') id: string): Promise<OrganizationResponseDto> {
    return this.respond(await this.organizations.show(recordId(id)));
  }

  @Post(['organizations.json', 'organizations'])
  @RequirePermission('organizations.manage')
  async create(
    @Body() body: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<OrganizationResponseDto> {
    return this.respond(await this.organizations.create(organizationInput(body), actorOf(user)));
  }

  @Put(['organizations/:id.json', 'organizations/:id'])
  @RequirePermission('organizations.manage')
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
  async delete(@Param('id') id: string, @CurrentUser() user: Readonly<UserEntity>): Promise<void> {
    await this.organizations.delete(recordId(id), actorOf(user));
  }

  private respond(
    organization: Parameters<typeof toZendeskOrganization>[0],
  ): OrganizationResponseDto {
    return { organization: toZendeskOrganization(organization, this.config.publicUrl) };
  }
}
