import { ErrorCode, StewardError } from '@steward/platform';

/** Too many failed sign-ins for the account or the address: answered 429 with Retry-After. */
export class SignInThrottledError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed sign-ins; try again later');
    this.name = 'SignInThrottledError';
  }
}

export class SignInError extends StewardError {
  /** The same answer for an unknown email, a wrong password and an inactive user. */
  static unauthenticated(): SignInError {
    return new SignInError(ErrorCode.Unauthenticated, '');
  }

  static wrongCurrentPassword(): SignInError {
    return new SignInError(ErrorCode.Invalid, 'current_password is not correct', {
      current_password: ['is not correct'],
    });
  }

  static missing(field: string): SignInError {
    return new SignInError(ErrorCode.Invalid, `${field} is required`, { [field]: ['is required'] });
  }
}
