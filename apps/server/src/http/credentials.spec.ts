import { MAX_AUTHORIZATION_LENGTH, parseAuthorization } from './credentials';

const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

describe('parseAuthorization', () => {
  it('reads the Zendesk Basic form email/token:TOKEN', () => {
    expect(parseAuthorization(basic('ann@example.com/token:stw_abc'))).toEqual({
      kind: 'basic-token',
      email: 'ann@example.com',
      token: 'stw_abc',
    });
  });

  it('keeps everything after the first colon as the token', () => {
    expect(parseAuthorization(basic('ann@example.com/token:a:b'))).toMatchObject({
      token: 'a:b',
    });
  });

  it('reads a Bearer token, whatever the case of the scheme', () => {
    expect(parseAuthorization('Bearer stw_abc')).toEqual({ kind: 'bearer', token: 'stw_abc' });
    expect(parseAuthorization('bearer stw_abc')).toEqual({ kind: 'bearer', token: 'stw_abc' });
    expect(parseAuthorization(basic('a@b.c/token:t').replace('Basic', 'BASIC'))).toMatchObject({
      kind: 'basic-token',
    });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a scheme without a value', 'Bearer'],
    ['an unknown scheme', 'Digest username="ann"'],
    ['a value that is not base64', 'Basic !!!not-base64!!!'],
    ['Basic with a password instead of a token', basic('ann@example.com:hunter2')],
    ['Basic without a colon', basic('ann@example.com/token')],
    ['Basic with an empty email', basic('/token:stw_abc')],
    ['Basic with an empty token', basic('ann@example.com/token:')],
    ['two values', 'Bearer one two'],
    ['an oversized header', `Bearer ${'x'.repeat(MAX_AUTHORIZATION_LENGTH)}`],
  ])('gives nothing for %s', (_case, header) => {
    expect(parseAuthorization(header)).toBeUndefined();
  });
});
