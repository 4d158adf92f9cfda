import { ErrorCode, StewardError } from '@steward/platform';

/** Zendesk's description of a 422; the details name each field and its problem. */
export const RECORD_INVALID = 'Record validation errors';

export class OrganizationError extends StewardError {
  static invalid(field: string, problem: string): OrganizationError {
    return new OrganizationError(ErrorCode.Invalid, RECORD_INVALID, { [field]: [problem] });
  }

  static notFound(): OrganizationError {
    return new OrganizationError(ErrorCode.NotFound, 'Not found');
  }
}
