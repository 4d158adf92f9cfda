import type { OpenedSession } from '@steward/identity';
import type { Response } from 'express';
import { clearSessionCookies, parseCookies, setSessionCookies } from './cookies';

const session: OpenedSession = {
  token: 't'.repeat(43),
  csrfToken: 'c'.repeat(43),
  userId: 1,
  expiresAt: new Date('2026-11-21T20:00:00.000Z'),
  mustChangePassword: false,
  pendingStep: null,
};

function captured(): { res: Response; lines: string[] } {
  const lines: string[] = [];
  const res = {
    append: (_name: string, value: string[]) => lines.push(...value),
  } as unknown as Response;
  return { res, lines };
}

describe('session cookies', () => {
  it('reads cookies by name, the first of a repeated name, unquoted', () => {
    const cookies = parseCookies('a=1; steward_session="abc"; a=2; junk; =x');
    expect([...cookies]).toEqual([
      ['a', '1'],
      ['steward_session', 'abc'],
    ]);
    expect(parseCookies(undefined).size).toBe(0);
    expect(parseCookies(`a=${'x'.repeat(10_000)}`).size).toBe(0);
  });

  it('marks both cookies Secure behind https, and only the session cookie HttpOnly', () => {
    const { res, lines } = captured();
    setSessionCookies(res, session, { secure: true, maxAgeSeconds: 43_200 });
    expect(lines).toEqual([
      `steward_session=${session.token}; Path=/; Max-Age=43200; SameSite=Lax; Secure; HttpOnly`,
      `steward_csrf=${session.csrfToken}; Path=/; Max-Age=43200; SameSite=Lax; Secure`,
    ]);
  });

  it('leaves Secure out over plain http, and clears with Max-Age=0', () => {
    const { res, lines } = captured();
    clearSessionCookies(res, { secure: false, maxAgeSeconds: 43_200 });
    expect(lines).toEqual([
      'steward_session=; Path=/; Max-Age=0; SameSite=Lax; HttpOnly',
      'steward_csrf=; Path=/; Max-Age=0; SameSite=Lax',
    ]);
  });
});
