import { codePoints, optionalLine, optionalText, requiredLine } from './text-fields';

const reject = (problem: string) => new Error(problem);

describe('text fields', () => {
  it('counts code points, as MySQL does, not UTF-16 units', () => {
    expect(codePoints('𝒮teward')).toBe(7);
    expect(requiredLine('😀'.repeat(10), 10, reject)).toBe('😀'.repeat(10));
    expect(() => requiredLine('😀'.repeat(11), 10, reject)).toThrow('at most 10 characters');
  });

  it('trims, and refuses blank required lines', () => {
    expect(requiredLine('  IT desk ', 20, reject)).toBe('IT desk');
    expect(() => requiredLine('   ', 20, reject)).toThrow('cannot be blank');
  });

  it('keeps line breaks, controls and bidirectional overrides out of one-line values', () => {
    for (const bad of ['a\nb', 'a\tb', 'a\u0000b', 'a\u202eb', 'a\u2028b', 'a\u0085b']) {
      expect(() => requiredLine(bad, 20, reject)).toThrow('on one line');
    }
  });

  it('lets free text have line breaks but no controls', () => {
    expect(optionalText(' line 1\r\nline 2\t ', 100, reject)).toBe('line 1\r\nline 2');
    expect(() => optionalText('bell\u0007', 100, reject)).toThrow('without control characters');
    expect(() => optionalText('\u202egnp.exe', 100, reject)).toThrow('without control characters');
  });

  it('turns blank or null optional values into null', () => {
    expect(optionalLine(null, 10, reject)).toBeNull();
    expect(optionalLine('  ', 10, reject)).toBeNull();
    expect(optionalText('', 10, reject)).toBeNull();
    expect(optionalLine(' x ', 10, reject)).toBe('x');
  });
});
