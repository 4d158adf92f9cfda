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

  /** Re-authentication: the same answer for a wrong password and a wrong second-factor code. */
  static reauthenticationFailed(): SignInError {
    return new SignInError(ErrorCode.Invalid, 'password or code is not correct', {
      password: ['or code is not correct'],
    });
  }

  static missing(field: string): SignInError {
    return new SignInError(ErrorCode.Invalid, `${field} is required`, { [field]: ['is required'] });
  }
}

/**
 * A sensitive action asked for a recent password (ASVS V3.7.1) and the session's is older than
 * STEWARD_REAUTH_WINDOW: answered 403 `ReauthenticationRequired`.
 */
export class ReauthenticationRequiredError extends Error {
  constructor() {
    super('Confirm your password first (POST /api/v2/session/reauthenticate)');
    this.name = 'ReauthenticationRequiredError';
  }
}
