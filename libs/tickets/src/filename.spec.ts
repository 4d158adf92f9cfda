import { contentDisposition, displayFileName, MAX_FILE_NAME_LENGTH } from './filename';

describe('displayFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\system32\\cmd.exe', 'cmd.exe'],
    ['C:\\Users\\ann\\photo.jpg', 'photo.jpg'],
    ['C:photo.jpg', 'photo.jpg'],
    ['/absolute/path/to/file.txt', 'file.txt'],
    ['invoice\u202egnp.exe', 'invoicegnp.exe'],
    ['a\u0000b\u0007c\u009f.txt', 'abc.txt'],
    ['zero\u200bwidth\u2066.txt', 'zerowidth.txt'],
    ['  spaced name.txt  ', 'spaced name.txt'],
    ['Cafe\u0301.txt', 'Café.txt'],
    ['..', 'attachment'],
    ['../', 'attachment'],
    ['', 'attachment'],
    ['\u202e', 'attachment'],
    ['.hidden', 'hidden'],
  ])('%j → %j', (raw, shown) => {
    expect(displayFileName(raw)).toBe(shown);
  });

  it('keeps at most 255 code points, and the extension', () => {
    const name = displayFileName(`${'😀'.repeat(300)}.pdf`);
    expect([...name]).toHaveLength(MAX_FILE_NAME_LENGTH);
    expect(name.endsWith('.pdf')).toBe(true);
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name (RFC 6266, RFC 5987)', () => {
    expect(contentDisposition('attachment', 'Grüße "final" 100%.pdf')).toBe(
      `attachment; filename="Gr__e _final_ 100_.pdf"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%22final%22%20100%25.pdf`,
    );
    expect(contentDisposition('inline', "it's (1).png")).toBe(
      `inline; filename="it's (1).png"; filename*=UTF-8''it%27s%20%281%29.png`,
    );
  });
});
