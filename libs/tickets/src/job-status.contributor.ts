import { Injectable } from '@nestjs/common';
import { UserService } from '@steward/identity';
import {
  type DataSubject,
  type ErasurePlanItem,
  type ErasureResult,
  type ExportPart,
  type PersonalDataContributor,
  PersonalDataContributorProvider,
} from '@steward/privacy';
import { JobStatusEntity } from './job-status.entity';
import { JobStatusRepository } from './job-status.repository';

const JOB_STATUSES = 'job_statuses';

/**
 * Job statuses in a data subject's export and erasure: the bulk jobs a subject asked for, with
 * their results (ticket ids and error descriptions, which may quote what they sent). They are
 * short-lived working records, so erasure deletes them outright.
 */
@Injectable()
@PersonalDataContributorProvider()
export class JobStatusContributor implements PersonalDataContributor {
  readonly name = 'job_statuses';
  readonly covers = [JobStatusEntity];

  constructor(
    private readonly statuses: JobStatusRepository,
    private readonly users: UserService,
  ) {}

  async exportSubject(subject: DataSubject): Promise<ExportPart[]> {
    const jobs = await this.statuses.createdBy(await this.userIdsOf(subject));
    return [
      {
        category: JOB_STATUSES,
        schemaVersion: 1,
        records: jobs.map((job) => ({
          id: job.token,
          jobType: job.jobType,
          status: job.status,
          total: job.total,
          progress: job.progress,
          message: job.message,
          results: job.results,
          pendingItems: job.payload,
          createdAt: job.createdAt.toISOString(),
          updatedAt: job.updatedAt.toISOString(),
        })),
      },
    ];
  }

  async planErasure(subject: DataSubject): Promise<ErasurePlanItem[]> {
    const jobs = await this.statuses.createdBy(await this.userIdsOf(subject));
    return [{ category: JOB_STATUSES, action: 'delete', count: jobs.length }];
  }

  async eraseSubject(subject: DataSubject): Promise<ErasureResult[]> {
    const deleted = await this.statuses.deleteCreatedBy(await this.userIdsOf(subject));
    return [{ category: JOB_STATUSES, deleted, anonymised: 0 }];
  }

  private async userIdsOf(subject: DataSubject): Promise<number[]> {
    const ids = new Set<number>();
    if (subject.userId !== undefined && /^\d+$/.test(subject.userId)) {
      const user = await this.users.findById(Number(subject.userId));
      if (user) ids.add(user.id);
    }
    for (const email of subject.emails) {
      const user = await this.users.findByEmail(email.trim().toLowerCase());
      if (user) ids.add(user.id);
    }
    return [...ids];
  }
}
