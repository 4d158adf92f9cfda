import { ErrorCode } from '@steward/platform';
import { checkDomains, emailDomain } from './organization.service';

/** What `work` throws (undefined when it does not). */
function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('checkDomains', () => {
  it('lower-cases, drops a leading @, removes repeats and sorts', () => {
    expect(checkDomains([' B.example ', '@a.example', 'b.EXAMPLE'])).toEqual([
      'a.example',
      'b.example',
    ]);
  });

  it.each([
    ['a single label', 'localhost'],
    ['an email address', 'ann@a.example'],
    ['a space', 'a .example'],
    ['a label starting with a hyphen', '-a.example'],
    ['a wildcard', '*.a.example'],
    ['a label over 63 characters', `${'a'.repeat(64)}.example`],
    ['an empty string', ''],
  ])('refuses %s', (_case, domain) => {
    expect(thrown(() => checkDomains([domain]))).toMatchObject({
      code: ErrorCode.Invalid,
      details: { domain_names: [expect.any(String)] },
    });
  });

  it('refuses more than 100 domains', () => {
    const many = Array.from({ length: 101 }, (_, i) => `d${i}.example`);
    expect(thrown(() => checkDomains(many))).toMatchObject({ code: ErrorCode.Invalid });
  });
});

describe('emailDomain', () => {
  it('is the lower-cased part after the last @', () => {
    expect(emailDomain('Ann@Acme.EXAMPLE')).toBe('acme.example');
    expect(emailDomain('"a@b"@c.example')).toBe('c.example');
    expect(emailDomain('no-address')).toBeUndefined();
    expect(emailDomain('ann@')).toBeUndefined();
  });
});
