import { ErrorCode, StewardError } from '@steward/platform';
import { RECORD_INVALID } from './organization.errors';

export class CustomRoleError extends StewardError {
  static invalid(field: string, problem: string): CustomRoleError {
    return new CustomRoleError(ErrorCode.Invalid, RECORD_INVALID, { [field]: [problem] });
  }

  static notFound(): CustomRoleError {
    return new CustomRoleError(ErrorCode.NotFound, 'Not found');
  }

  /** Deleting a role that agents hold would leave them without permissions: refused. */
  static inUse(holders: number): CustomRoleError {
    const agents = holders === 1 ? '1 agent holds' : `${holders} agents hold`;
    return new CustomRoleError(ErrorCode.Invalid, RECORD_INVALID, {
      custom_role: [`${agents} this role; give them another role first`],
    });
  }
}
