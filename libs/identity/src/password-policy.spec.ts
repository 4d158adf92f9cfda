import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMON_PASSWORDS } from './password-policy.common-passwords';
import { isCommonPassword, passwordPolicyProblem } from './password-policy';

describe('password policy', () => {
  it('accepts 12 to 128 characters that are not common', () => {
    expect(passwordPolicyProblem('correct horse battery')).toBeUndefined();
    expect(passwordPolicyProblem('x'.repeat(128))).toBeUndefined();
  });

  it('refuses fewer than 12 and more than 128 characters', () => {
    expect(passwordPolicyProblem('short pass1')).toMatch(/12 to 128/);
    expect(passwordPolicyProblem('x'.repeat(129))).toMatch(/12 to 128/);
  });

  it('refuses a common password, whatever its case and the digits or symbols around it', () => {
    expect(isCommonPassword('1234567890')).toBe(true);
    expect(passwordPolicyProblem('PASSWORD1234')).toMatch(/too common/);
    expect(passwordPolicyProblem('Baseball!2026')).toMatch(/too common/);
    expect(passwordPolicyProblem('2026-Sunshine-2026')).toMatch(/too common/);
  });

  it('does not refuse a password that only contains a common word', () => {
    expect(isCommonPassword('my football coat rack')).toBe(false);
  });

  it('bundles exactly the list in data/common-passwords.txt', () => {
    const listed = readFileSync(join(__dirname, 'data', 'common-passwords.txt'), 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect([...COMMON_PASSWORDS].sort()).toEqual([...new Set(listed)].sort());
  });
});
