import { ErrorCode, StewardError } from '@steward/platform';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

export class UserError extends StewardError {
  static emailTaken(): UserError {
    return new UserError(ErrorCode.Invalid, 'a user with this email address already exists', {
      email: ['Email has already been taken'],
    });
  }

  static notFound(): UserError {
    return new UserError(ErrorCode.NotFound, 'Not found');
  }

  /** The caller may reach the user but not make this change (an agent and an admin's account). */
  static forbidden(problem: string): UserError {
    return new UserError(ErrorCode.Forbidden, problem);
  }

  static invalid(field: string, problem: string): UserError {
    return new UserError(ErrorCode.Invalid, `${field} ${problem}`, { [field]: [problem] });
  }
}
