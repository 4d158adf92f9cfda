import { ErrorCode, StewardError } from '@steward/platform';

/** Two-factor enrolment, verification and re-authentication errors. */
export class TwoFactorError extends StewardError {
  /** A wrong, reused or malformed code: the same answer whichever it was. */
  static invalidCode(): TwoFactorError {
    return new TwoFactorError(ErrorCode.Invalid, 'code is not correct', {
      code: ['is not correct'],
    });
  }

  static notEnabled(): TwoFactorError {
    return new TwoFactorError(ErrorCode.Invalid, 'Two-factor authentication is not enabled');
  }

  static alreadyEnabled(): TwoFactorError {
    return new TwoFactorError(
      ErrorCode.Conflict,
      'Two-factor authentication is already enabled; remove it before enrolling again',
    );
  }

  static notStarted(): TwoFactorError {
    return new TwoFactorError(
      ErrorCode.Invalid,
      'No enrolment is pending; start one with POST /api/v2/users/me/two_factor',
    );
  }

  static nothingPending(): TwoFactorError {
    return new TwoFactorError(ErrorCode.Invalid, 'This session owes no two-factor code');
  }

  /** The stored secret does not decrypt with the keyring: the keyring lost the key it names. */
  static unreadable(): TwoFactorError {
    return new TwoFactorError(
      ErrorCode.Unavailable,
      'The two-factor secret cannot be read with this installation’s keyring',
    );
  }
}
