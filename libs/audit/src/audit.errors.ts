import { ErrorCode, StewardError } from '@steward/platform';

export class AuditError extends StewardError {
  static invalid(field: string, problem: string): AuditError {
    return new AuditError(ErrorCode.Invalid, `${field} ${problem}`, { [field]: [problem] });
  }
}
