import { ErrorCode, StewardError } from '@steward/platform';
import { RECORD_INVALID } from './organization.errors';

export class GroupError extends StewardError {
  static invalid(field: string, problem: string): GroupError {
    return new GroupError(ErrorCode.Invalid, RECORD_INVALID, { [field]: [problem] });
  }

  static selfJoinRefused(): GroupError {
    return new GroupError(
      ErrorCode.Forbidden,
      'You cannot add yourself to a confidential group: use break-glass, or ask another administrator',
    );
  }

  static notFound(): GroupError {
    return new GroupError(ErrorCode.NotFound, 'Not found');
  }
}
