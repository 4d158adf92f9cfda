/** Longest token kept, in characters: InnoDB drops words over 84 characters, prefix included. */
const MAX_TOKEN_LENGTH = 40;

/** Runs of letters, digits and combining marks: everything else separates words. */
const WORDS = /[\p{L}\p{N}\p{M}]+/gu;
/** Scripts written without spaces between words, searched by overlapping pairs of characters. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30fc]+/gu;
/** Accents on Latin, Greek and Cyrillic letters are ignored ("café" finds "cafe"). */
const ACCENTED = /([\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}])\p{M}+/gu;

/**
 * The search tokens of a text, the same on both database engines and for both the index and
 * the query: lower-cased words without accents, and in Chinese, Japanese and Korean text
 * overlapping character pairs (bigrams), so that `東京` is found inside `東京都に住む` without a
 * dictionary. Tokens hold letters, digits and marks only, so no search operator can reach the
 * engine through them.
 */
export function searchTokens(text: string): string[] {
  const plain = text.normalize('NFD').replace(ACCENTED, '$1').normalize('NFKC').toLowerCase();
  const tokens: string[] = [];
  for (const word of plain.match(WORDS) ?? []) {
    let rest = 0;
    for (const run of word.matchAll(UNSPACED)) {
      pushWord(tokens, word.slice(rest, run.index));
      const chars = [...run[0]];
      if (chars.length === 1) tokens.push(chars[0]);
      for (let i = 0; i + 1 < chars.length; i += 1) tokens.push(chars[i] + chars[i + 1]);
      rest = run.index + run[0].length;
    }
    pushWord(tokens, word.slice(rest));
  }
  return tokens;
}

function pushWord(tokens: string[], word: string): void {
  if (word === '') return;
  const chars = [...word];
  tokens.push(chars.length > MAX_TOKEN_LENGTH ? chars.slice(0, MAX_TOKEN_LENGTH).join('') : word);
}
