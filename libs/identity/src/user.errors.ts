import { ErrorCode, StewardError } from '@steward/platform';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

export class UserError extends StewardError {
  static emailTaken(): UserError {
    return new UserError(ErrorCode.Conflict, 'a user with this email address already exists', {
      email: ['is already taken'],
    });
  }

  static invalid(field: string, problem: string): UserError {
    return new UserError(ErrorCode.Invalid, `${field} ${problem}`, { [field]: [problem] });
  }
}
