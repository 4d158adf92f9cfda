/** What an attachment is, judged from its bytes alone. */
export interface SniffedType {
  /** The media type Steward stores and sends; never one the client named. */
  readonly contentType: string;
  /** A raster image a browser may show inline without running anything in it. */
  readonly inlineImage: boolean;
}

/** Bytes whose type Steward does not recognise, or will not vouch for (HTML, SVG, XML). */
export const OPAQUE_TYPE = 'application/octet-stream';

const OPAQUE: SniffedType = { contentType: OPAQUE_TYPE, inlineImage: false };

/** Magic numbers at offset 0 (`?` in a pattern: any byte). */
const SIGNATURES: ReadonlyArray<{
  readonly magic: ReadonlyArray<number | '?'>;
  readonly type: SniffedType;
}> = [
  { magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], type: image('image/png') },
  { magic: [0xff, 0xd8, 0xff], type: image('image/jpeg') },
  { magic: ascii('GIF87a'), type: image('image/gif') },
  { magic: ascii('GIF89a'), type: image('image/gif') },
  { magic: [...ascii('RIFF'), '?', '?', '?', '?', ...ascii('WEBP')], type: image('image/webp') },
  { magic: ascii('%PDF-'), type: file('application/pdf') },
  { magic: [0x1f, 0x8b, 0x08], type: file('application/gzip') },
];

/** Office Open XML documents are ZIP files whose first entries name their kind. */
const OOXML: ReadonlyArray<readonly [string, string]> = [
  ['word/', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['xl/', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['ppt/', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
];

/** How far into a ZIP file the OOXML markers are looked for. */
const OOXML_WINDOW = 8192;
/** How much of a file is checked for being text. */
const TEXT_WINDOW = 8192;

/**
 * The content type of `bytes` from their magic numbers: PNG, JPEG, GIF, WebP, PDF, gzip, ZIP
 * (and the Office Open XML formats inside it), UTF-8 text. Markup (HTML, SVG, XML) and anything
 * unknown is `application/octet-stream`, so that no browser is ever told to render it.
 */
export function sniffContentType(bytes: Buffer): SniffedType {
  for (const { magic, type } of SIGNATURES) {
    if (startsWith(bytes, magic)) return type;
  }
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return zipKind(bytes);
  if (isPlainText(bytes)) return file('text/plain');
  return OPAQUE;
}

/** ZIP, or the OOXML kind whose part names appear among its first entries. */
function zipKind(bytes: Buffer): SniffedType {
  const head = bytes.subarray(0, OOXML_WINDOW).toString('latin1');
  if (head.includes('[Content_Types].xml')) {
    for (const [prefix, type] of OOXML) if (head.includes(prefix)) return file(type);
  }
  return file('application/zip');
}

/**
 * UTF-8 text without control characters (tab, line breaks and form feed allowed) that does not
 * look like markup: a file whose first non-blank character is `<` may be HTML, SVG or XML, and
 * stays opaque. Only the first TEXT_WINDOW bytes are judged; a sequence cut at its end counts.
 */
function isPlainText(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  let window = bytes.subarray(0, TEXT_WINDOW);
  if (startsWith(window, [0xef, 0xbb, 0xbf])) window = window.subarray(3);
  const text = decodeUtf8(window, bytes.length > TEXT_WINDOW);
  if (text === undefined) return false;
  if (/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) return false;
  return !text.trimStart().startsWith('<');
}

/** The text, or undefined when the bytes are not UTF-8 (a cut last sequence is forgiven). */
function decodeUtf8(bytes: Buffer, truncated: boolean): string | undefined {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let cut = 0; cut <= (truncated ? 3 : 0); cut += 1) {
    try {
      return decoder.decode(bytes.subarray(0, bytes.length - cut));
    } catch {
      // a multi-byte sequence cut at the window's end: retry a byte shorter
    }
  }
  return undefined;
}

function startsWith(bytes: Buffer, magic: ReadonlyArray<number | '?'>): boolean {
  if (bytes.length < magic.length) return false;
  return magic.every((byte, i) => byte === '?' || bytes[i] === byte);
}

function ascii(text: string): number[] {
  return [...text].map((ch) => ch.charCodeAt(0));
}

function image(contentType: string): SniffedType {
  return { contentType, inlineImage: true };
}

function file(contentType: string): SniffedType {
  return { contentType, inlineImage: false };
}
