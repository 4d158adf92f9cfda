import { htmlFromPlain, plainFromHtml, sanitizeCommentHtml } from './comment-body';

/**
 * Redaction of comment bodies, as Zendesk does it: every occurrence of a string becomes as many
 * `▇` as it has characters, in the plain body and in the HTML (its text and its attribute
 * values, such as a link's address; never tag or attribute names). The match is exact (case
 * and spacing as stored).
 */

/** What Zendesk puts in place of each redacted character. */
export const REDACTION_MARK = '▇';

export interface RedactedBodies {
  readonly body: string;
  readonly htmlBody: string;
  /** How many occurrences were replaced, in the body and the HTML together. */
  readonly replaced: number;
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#x27;': "'",
  '&nbsp;': '\u00a0',
};

function decode(html: string): string {
  return html.replace(/&(?:amp|lt|gt|quot|#39|#x27|nbsp);/g, (entity) => ENTITIES[entity]);
}

function encodeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function encodeAttribute(text: string): string {
  return encodeText(text).replace(/"/g, '&quot;');
}

function marks(text: string): string {
  return REDACTION_MARK.repeat([...text].length);
}

function replaceCounting(haystack: string, needle: string): [string, number] {
  const parts = haystack.split(needle);
  return [parts.join(marks(needle)), parts.length - 1];
}

/**
 * The HTML with `needle` redacted in its text and attribute values. Works on HTML as Steward
 * stores it (sanitised: `<` and `>` inside text and attribute values are escaped, so every `<`
 * starts a tag), and sanitises the result again.
 */
function redactHtml(html: string, needle: string): [string, number] {
  let replaced = 0;
  const out = html
    .split(/(<[^>]*>)/)
    .map((segment) => {
      if (segment.startsWith('<')) {
        return segment.replace(/="([^"]*)"/g, (_all, value: string) => {
          const [redacted, count] = replaceCounting(decode(value), needle);
          replaced += count;
          return `="${count > 0 ? encodeAttribute(redacted) : value}"`;
        });
      }
      const [redacted, count] = replaceCounting(decode(segment), needle);
      replaced += count;
      return count > 0 ? encodeText(redacted) : segment;
    })
    .join('');
  return [sanitizeCommentHtml(out), replaced];
}

/**
 * Both bodies with every occurrence of `needle` redacted. When the HTML still shows the string
 * afterwards (it ran across markup, e.g. `pass<b>word</b>`), the HTML is rebuilt from the
 * redacted plain body instead: formatting is lost, the string is not kept.
 */
export function redactBodies(body: string, htmlBody: string, needle: string): RedactedBodies {
  const [plain, inBody] = replaceCounting(body, needle);
  let [html, inHtml] = redactHtml(htmlBody, needle);
  if (plainFromHtml(html).includes(needle)) {
    html = htmlFromPlain(plain);
    inHtml = Math.max(inHtml, 1);
  }
  return { body: plain, htmlBody: html, replaced: inBody + inHtml };
}

/**
 * The strings a client marked with `<redact>…</redact>` in a comment's HTML (Zendesk's comment
 * redaction form), as plain text, each once, longest first (so that a string inside another is
 * not redacted first and the longer one missed).
 */
export function markedForRedaction(html: string): string[] {
  const found = new Set<string>();
  for (const match of html.matchAll(/<redact\b[^>]*>([\s\S]*?)<\/redact\s*>/gi)) {
    const text = plainFromHtml(match[1]);
    if (text !== '') found.add(text);
  }
  return [...found].sort((a, b) => b.length - a.length);
}
