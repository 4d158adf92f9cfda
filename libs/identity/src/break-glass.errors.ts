import { ErrorCode, StewardError } from '@steward/platform';
import { RECORD_INVALID } from './organization.errors';

export class BreakGlassError extends StewardError {
  static invalid(field: string, problem: string): BreakGlassError {
    return new BreakGlassError(ErrorCode.Invalid, RECORD_INVALID, { [field]: [problem] });
  }

  static notFound(): BreakGlassError {
    return new BreakGlassError(ErrorCode.NotFound, 'Not found');
  }

  static forbidden(): BreakGlassError {
    return new BreakGlassError(ErrorCode.Forbidden, 'You do not have access to this resource');
  }
}
