import type { JobStatusEntity } from '@steward/tickets';
import { invalidField, isObject, own } from '../http/request-body';

/** One item's outcome, in Zendesk's `results` shape. */
export interface ZendeskJobResult {
  id?: number;
  index: number;
  action: string;
  success: boolean;
  status: string;
  errors?: string;
  details?: string;
}

/** A job status in the Zendesk Support API v2 shape. */
export interface ZendeskJobStatus {
  id: string;
  url: string;
  job_type: string;
  total: number;
  progress: number;
  status: string;
  message: string | null;
  results: ZendeskJobResult[];
}

export interface JobStatusResponseDto {
  job_status: ZendeskJobStatus;
}

export interface JobStatusListDto {
  job_statuses: ZendeskJobStatus[];
}

export function toZendeskJobStatus(job: JobStatusEntity, publicUrl: string): ZendeskJobStatus {
  return {
    id: job.token,
    url: `${publicUrl}/api/v2/job_statuses/${job.token}.json`,
    job_type: job.jobType,
    total: job.total,
    progress: job.progress,
    status: job.status,
    message: job.message,
    results: job.results.map((result) => ({ ...result })),
  };
}

/** `?ids=a,b` of job statuses: up to 100 ids (32 hex characters each), each once. */
export function jobStatusIdsQuery(query: unknown): string[] {
  const raw = isObject(query) ? own(query, 'ids') : undefined;
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw invalidField('ids', 'is required: ?ids=a,b');
  }
  const ids = raw.split(',').map((part) => part.trim().toLowerCase());
  if (ids.length > 100) throw invalidField('ids', 'at most 100 ids');
  if (ids.some((id) => !/^[0-9a-f]{32}$/.test(id))) {
    throw invalidField('ids', 'must be job status ids');
  }
  return [...new Set(ids)];
}
