/** The longest file name Steward keeps, in code points. */
export const MAX_FILE_NAME_LENGTH = 255;

/** What a file is called when nothing of its given name survives cleaning. */
export const FALLBACK_FILE_NAME = 'attachment';

/**
 * C0 and C1 controls, and the Unicode formatting characters that reorder or hide text (bidi
 * marks, embeddings, overrides and isolates; zero-width characters; the BOM): a name like
 * `invoice\u202Egnp.exe` must not show as `invoiceexe.png`.
 */
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu;

/**
 * The name an attachment is shown and downloaded under: NFC, without controls or bidi
 * overrides, without any directory part (`../../etc/passwd` → `passwd`, `C:\x\y.txt` →
 * `y.txt`), trimmed, at most MAX_FILE_NAME_LENGTH code points (the extension kept), and
 * `attachment` when nothing is left. It is for display only: blobs are stored under random ids.
 */
export function displayFileName(raw: string): string {
  const cleaned = raw.normalize('NFC').replace(HIDDEN, '');
  const base = cleaned.split(/[/\\]/).at(-1) ?? '';
  // A drive prefix left without a separator (`C:name`), and dots or blanks at either end.
  const name = base
    .replace(/^[A-Za-z]:/, '')
    .trim()
    .replace(/^[.\s]+|[.\s]+$/gu, '');
  if (name === '') return FALLBACK_FILE_NAME;
  return shorten(name);
}

/** At most MAX_FILE_NAME_LENGTH code points, keeping a short extension at the end. */
function shorten(name: string): string {
  const points = [...name];
  if (points.length <= MAX_FILE_NAME_LENGTH) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? [...name.slice(dot)] : [];
  if (extension.length === 0 || extension.length > 16) {
    return points.slice(0, MAX_FILE_NAME_LENGTH).join('').trimEnd();
  }
  const stem = points
    .slice(0, MAX_FILE_NAME_LENGTH - extension.length)
    .join('')
    .trimEnd();
  return `${stem}${extension.join('')}`;
}

/**
 * `Content-Disposition` for a download (RFC 6266): `filename` an ASCII fallback (non-ASCII,
 * quotes, backslashes and `%` replaced by `_`), `filename*` the exact name in UTF-8 (RFC 5987).
 */
export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/** Percent-encodes everything but RFC 5987's attr-char. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
