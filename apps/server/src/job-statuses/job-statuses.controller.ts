import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { UserEntity } from '@steward/identity';
import { STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { RequirePermission } from '@steward/runtime';
import { JobStatusService } from '@steward/tickets';
import { CurrentUser } from '../http/current-user';
import { ApiErrors, ApiIdsQuery } from '../openapi/decorators';
import { ref } from '../openapi/schemas';
import {
  type JobStatusListDto,
  type JobStatusResponseDto,
  jobStatusIdsQuery,
  toZendeskJobStatus,
} from './job-status.dto';

/**
 * Zendesk Support API v2: Job Statuses, the progress and results of bulk work (create_many,
 * update_many, destroy_many, merge). Everyone sees the job statuses of the work they asked for;
 * admins see every one. Anyone else's is "not found".
 */
@ApiTags('Job statuses')
@Controller('api/v2')
export class JobStatusesController {
  constructor(
    private readonly jobs: JobStatusService,
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
  ) {}

  @Get(['job_statuses.json', 'job_statuses'])
  @RequirePermission('users.me')
  @ApiOperation({ summary: "List the caller's recent job statuses (at most 100, newest first)" })
  @ApiOkResponse({ description: 'The job statuses', schema: ref('JobStatusList') })
  async list(@CurrentUser() user: Readonly<UserEntity>): Promise<JobStatusListDto> {
    return this.many(await this.jobs.recent(user));
  }

  @Get(['job_statuses/show_many.json', 'job_statuses/show_many'])
  @RequirePermission('users.me')
  @ApiOperation({ summary: 'Show several job statuses (those the caller may see)' })
  @ApiIdsQuery('job status', {
    example: '8b726e606741012ffc2d782bcb7848fe,e7665094164c498781ebe4c8db6d2af5',
  })
  @ApiOkResponse({ description: 'The job statuses', schema: ref('JobStatusList') })
  @ApiErrors(422)
  async showMany(
    @Query() query: unknown,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<JobStatusListDto> {
    return this.many(await this.jobs.showMany(jobStatusIdsQuery(query), user));
  }

  @Get(['job_statuses/:id.json', 'job_statuses/:id'])
  @RequirePermission('users.me')
  @ApiOperation({ summary: 'Show a job status' })
  @ApiParam({
    name: 'id',
    description: 'The job status (32 hex characters)',
    schema: { type: 'string', pattern: '^[0-9a-f]{32}$' },
  })
  @ApiOkResponse({ description: 'The job status', schema: ref('JobStatusResponse') })
  @ApiErrors(404)
  async show(
    @Param('id') id: string,
    @CurrentUser() user: Readonly<UserEntity>,
  ): Promise<JobStatusResponseDto> {
    return {
      job_status: toZendeskJobStatus(await this.jobs.show(id, user), this.config.publicUrl),
    };
  }

  private many(jobs: Parameters<typeof toZendeskJobStatus>[0][]): JobStatusListDto {
    return { job_statuses: jobs.map((job) => toZendeskJobStatus(job, this.config.publicUrl)) };
  }
}
