import { ConfigError, loadConfig } from '@steward/platform';
import { checkBreakGlassReason } from './break-glass.service';

describe('break-glass reason', () => {
  it('is trimmed and kept when 10 to 1000 characters on one line', () => {
    expect(checkBreakGlassReason('  Legal hold, case 7  ')).toBe('Legal hold, case 7');
    expect(checkBreakGlassReason('é'.repeat(1000))).toBe('é'.repeat(1000));
  });

  it.each([
    ['blank', '   '],
    ['too short once trimmed', '  short    '],
    ['too long', 'x'.repeat(1001)],
    ['on two lines', 'first line\nsecond line'],
    ['hiding text with a bidi override', 'Legal hold \u202e7 esac'],
    ['not a string', 42],
  ])('is refused when %s', (_what, reason) => {
    let thrown: unknown;
    try {
      checkBreakGlassReason(reason);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ details: { reason: [expect.any(String)] } });
  });
});

describe('STEWARD_BREAK_GLASS_TTL', () => {
  it('defaults to an hour and is read in minutes', () => {
    expect(loadConfig({ env: {} }).breakGlassTtlMs).toBe(3_600_000);
    expect(loadConfig({ env: { STEWARD_BREAK_GLASS_TTL: '90' } }).breakGlassTtlMs).toBe(5_400_000);
  });

  it.each(['0', '1441', '1h', '-5'])('refuses %s with a message naming the variable', (value) => {
    expect(() => loadConfig({ env: { STEWARD_BREAK_GLASS_TTL: value } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { STEWARD_BREAK_GLASS_TTL: value } })).toThrow(
      /STEWARD_BREAK_GLASS_TTL: expected minutes \(1–1440\)/,
    );
  });
});
