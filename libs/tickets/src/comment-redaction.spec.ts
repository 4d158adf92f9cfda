import { markedForRedaction, redactBodies, REDACTION_MARK } from './comment-redaction';

const M = REDACTION_MARK;

describe('comment redaction', () => {
  it('puts one mark per character, in the body and in the HTML text', () => {
    const out = redactBodies('a secret, a secret', '<p>a <em>secret</em>, a secret</p>', 'secret');
    expect(out.body).toBe(`a ${M.repeat(6)}, a ${M.repeat(6)}`);
    expect(out.htmlBody).toBe(`<p>a <em>${M.repeat(6)}</em>, a ${M.repeat(6)}</p>`);
    expect(out.replaced).toBe(4);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(redactBodies('key 🔑🔑', '<p>key 🔑🔑</p>', '🔑🔑').body).toBe(`key ${M}${M}`);
  });

  it('matches text as shown, across HTML escapes, and never touches tag names', () => {
    const out = redactBodies('a <b> & "c"', '<p>a &lt;b&gt; &amp; "c"</p>', '<b> & "c"');
    expect(out.htmlBody).toBe(`<p>a ${M.repeat(9)}</p>`);
    expect(redactBodies('p', '<p>p</p>', 'p').htmlBody).toBe(`<p>${M}</p>`);
  });

  it('redacts attribute values such as a link address', () => {
    const out = redactBodies(
      'the portal',
      '<p><a href="https://x.example/?k=abc123" rel="noopener noreferrer nofollow">the portal</a></p>',
      'abc123',
    );
    expect(out.htmlBody).toContain(`?k=${M.repeat(6)}`);
    expect(out.replaced).toBe(1);
  });

  it('rebuilds the HTML from the redacted text when the string runs across markup', () => {
    const out = redactBodies('pass word1', '<p>pass <b>word1</b></p>', 'pass word1');
    expect(out.body).toBe(M.repeat(10));
    expect(out.htmlBody).toBe(`<p>${M.repeat(10)}</p>`);
  });

  it('reports nothing replaced when the string is not in the comment', () => {
    expect(redactBodies('hello', '<p>hello</p>', 'bye').replaced).toBe(0);
  });

  it('reads the <redact> marks as text, longest first, each once', () => {
    expect(
      markedForRedaction(
        '<p><redact>ab</redact> x <REDACT>a &amp; <b>bc</b></REDACT> <redact>ab</redact></p>',
      ),
    ).toEqual(['a & bc', 'ab']);
    expect(markedForRedaction('<p>nothing</p>')).toEqual([]);
  });
});
