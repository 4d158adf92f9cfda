import { ErrorCode, StewardError } from '@steward/platform';

export const MAX_TOKEN_NAME_LENGTH = 100;

export class ApiTokenError extends StewardError {
  static invalidName(): ApiTokenError {
    const problem = `must be 1 to ${MAX_TOKEN_NAME_LENGTH} characters, without control characters`;
    return new ApiTokenError(ErrorCode.Invalid, `name ${problem}`, { name: [problem] });
  }

  static userNotFound(): ApiTokenError {
    return new ApiTokenError(ErrorCode.NotFound, 'no active user with this id');
  }

  static notFound(): ApiTokenError {
    return new ApiTokenError(ErrorCode.NotFound, 'no API token with this id');
  }
}
