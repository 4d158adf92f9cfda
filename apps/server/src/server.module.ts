import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { HealthController, StewardCoreModule, type CoreOptions } from '@steward/runtime';
import { LoggerModule } from 'nestjs-pino';
import { Clock, httpLoggingOptions, STEWARD_CONFIG, type StewardConfig } from '@steward/platform';
import { AuthGuard } from './http/auth.guard';
import { ErrorFilter } from './http/error.filter';
import { ApiRateLimiter, MemoryApiRateLimiter } from './http/rate-limit';
import { RateLimitGuard } from './http/rate-limit.guard';
import { RedisApiRateLimiter } from './http/rate-limit.redis';
import { ServerLifecycle } from './server.lifecycle';
import { PasswordSignIn } from './auth/password-sign-in';
import { SessionController } from './auth/session.controller';
import { TwoFactorController } from './auth/two-factor.controller';
import { UsersController } from './users/users.controller';
import { UserIdentitiesController } from './users/user-identities.controller';
import { CustomRolesController } from './custom-roles/custom-roles.controller';
import { AuditLogsController } from './audit/audit-logs.controller';
import { GroupMembershipsController } from './groups/group-memberships.controller';
import { GroupsController } from './groups/groups.controller';
import { BreakGlassController } from './break-glass/break-glass.controller';
import { OrganizationsController } from './organizations/organizations.controller';
import { OpenApiController, OpenApiDocuments } from './openapi/openapi.controller';
import { IncrementalController } from './tickets/incremental.controller';
import { TicketsController } from './tickets/tickets.controller';
import { TicketBulkController } from './tickets/ticket-bulk.controller';
import { JobStatusesController } from './job-statuses/job-statuses.controller';
import { TicketFieldsController } from './tickets/ticket-fields.controller';
import { TicketCommentsController } from './tickets/ticket-comments.controller';
import { TagsController } from './tickets/tags.controller';
import { TicketRelationsController } from './tickets/ticket-relations.controller';
import { SearchController } from './search/search.controller';
import { ViewsController } from './views/views.controller';
import { RequestsController } from './requests/requests.controller';
import { AttachmentsController } from './attachments/attachments.controller';

/** The HTTP server: the REST API and pages; in the embedded shape it also runs the jobs. */
@Module({})
export class ServerModule {
  static forRoot(options: Omit<CoreOptions, 'consumeJobs'>): DynamicModule {
    return {
      module: ServerModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: httpLoggingOptions(options.logger) }),
        StewardCoreModule.forRoot({ ...options, consumeJobs: options.config.shape === 'embedded' }),
      ],
      controllers: [
        HealthController,
        OrganizationsController,
        GroupsController,
        GroupMembershipsController,
        BreakGlassController,
        UsersController,
        UserIdentitiesController,
        CustomRolesController,
        AuditLogsController,
        SessionController,
        TwoFactorController,
        TicketCommentsController,
        TagsController,
        TicketRelationsController,
        IncrementalController,
        TicketFieldsController,
        // Before TicketsController: `tickets/update_many` is not a ticket id.
        TicketBulkController,
        JobStatusesController,
        TicketsController,
        SearchController,
        ViewsController,
        RequestsController,
        AttachmentsController,
        OpenApiController,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ErrorFilter },
        // Default deny: every route is @Public() or needs a permission (http/auth.guard.ts).
        { provide: APP_GUARD, useClass: AuthGuard },
        // After the AuthGuard, so that a signed-in caller is counted by user (http/rate-limit.guard.ts).
        { provide: APP_GUARD, useClass: RateLimitGuard },
        {
          provide: ApiRateLimiter,
          inject: [Clock, STEWARD_CONFIG],
          // Production: counters shared by every server process in Redis; embedded: in memory.
          useFactory: (clock: Clock, config: StewardConfig): ApiRateLimiter =>
            config.shape === 'production'
              ? new RedisApiRateLimiter(clock, config)
              : new MemoryApiRateLimiter(clock, config),
        },
        ServerLifecycle,
        PasswordSignIn,
        OpenApiDocuments,
      ],
    };
  }
}
