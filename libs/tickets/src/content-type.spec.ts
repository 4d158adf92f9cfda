import { OPAQUE_TYPE, sniffContentType } from './content-type';

const bytes = (...parts: Array<string | number[]>): Buffer =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))),
  );

describe('sniffContentType', () => {
  it.each([
    ['PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'IHDR'), 'image/png', true],
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF'), 'image/jpeg', true],
    ['GIF87a', bytes('GIF87a....'), 'image/gif', true],
    ['GIF89a', bytes('GIF89a....'), 'image/gif', true],
    ['WebP', bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '), 'image/webp', true],
    ['PDF', bytes('%PDF-1.7\n'), 'application/pdf', false],
    ['gzip', bytes([0x1f, 0x8b, 0x08, 0]), 'application/gzip', false],
    ['ZIP', bytes([0x50, 0x4b, 0x03, 0x04], 'notes.txt'), 'application/zip', false],
    [
      'DOCX',
      bytes([0x50, 0x4b, 0x03, 0x04], '[Content_Types].xml....word/document.xml'),
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      false,
    ],
    [
      'XLSX',
      bytes([0x50, 0x4b, 0x03, 0x04], '[Content_Types].xml....xl/workbook.xml'),
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      false,
    ],
    ['UTF-8 text', Buffer.from('Grüße aus Köln\r\n\tzweite Zeile\n'), 'text/plain', false],
    ['text with a BOM', Buffer.from('\ufeffhello'), 'text/plain', false],
  ])('recognises %s', (_name, data, contentType, inlineImage) => {
    expect(sniffContentType(data)).toEqual({ contentType, inlineImage });
  });

  it.each([
    ['HTML', '<!DOCTYPE html><html><script>alert(1)</script>'],
    ['HTML after blank lines', '\n\n  <html><body onload=alert(1)>'],
    ['SVG', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
    ['XML', '<?xml version="1.0"?><a/>'],
    ['binary', '\u0000\u0001\u0002binary'],
    ['Latin-1 that is not UTF-8', Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65])],
    ['nothing', Buffer.alloc(0)],
    ['a PNG signature cut short', Buffer.from([0x89, 0x50, 0x4e])],
  ])('keeps %s opaque', (_name, data) => {
    const buffer = typeof data === 'string' ? Buffer.from(data) : data;
    expect(sniffContentType(buffer)).toEqual({ contentType: OPAQUE_TYPE, inlineImage: false });
  });

  it('judges long text by its start, forgiving a character cut at the window', () => {
    const long = Buffer.from(`${'a'.repeat(8191)}é and more`);
    expect(sniffContentType(long).contentType).toBe('text/plain');
  });
});
