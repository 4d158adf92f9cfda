import { COMMON_PASSWORDS } from './password-policy.common-passwords';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './user.errors';

/** Digits, punctuation and spaces people put around a common word to pass a length rule. */
const PADDING = /^[^\p{L}]+|[^\p{L}]+$/gu;

/**
 * Is this password a common one (ASVS V2.1.7): in the bundled list, compared case-insensitively,
 * either whole or once the digits and symbols around it are taken off ("Password!2026").
 */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  return COMMON_PASSWORDS.has(lower) || COMMON_PASSWORDS.has(lower.replace(PADDING, ''));
}

/** What is wrong with a new password (ASVS V2.1), or undefined when it may be used. */
export function passwordPolicyProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    return `must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long`;
  }
  if (isCommonPassword(password)) return 'is too common; choose one that is harder to guess';
  return undefined;
}
