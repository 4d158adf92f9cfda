import { htmlFromPlain, plainFromHtml, sanitizeCommentHtml } from './comment-body';

describe('comment bodies', () => {
  it('removes scripts, event handlers and javascript: links', () => {
    const html = sanitizeCommentHtml(
      '<p onclick="steal()">Hi<script>alert(1)</script> <a href="javascript:alert(1)">x</a>' +
        '<img src="https://tracker.example/p.gif" onerror="x()"></p><style>p{}</style>',
    );
    expect(html).toBe('<p>Hi <a rel="noopener noreferrer nofollow">x</a></p>');
  });

  it('keeps formatting and safe links, marking them noopener', () => {
    expect(
      sanitizeCommentHtml(
        '<p><strong>VPN</strong> <a href="https://vpn.example/help">help</a></p>',
      ),
    ).toBe(
      '<p><strong>VPN</strong> <a href="https://vpn.example/help" rel="noopener noreferrer nofollow">help</a></p>',
    );
  });

  it('drops iframes, forms, svg and protocol-relative links', () => {
    const html = sanitizeCommentHtml(
      '<iframe src="https://evil.example"></iframe><form action="/x"><input></form>' +
        '<svg><script>1</script></svg><a href="//evil.example">x</a>',
    );
    expect(html).toBe('<a rel="noopener noreferrer nofollow">x</a>');
  });

  it('turns plain text into escaped paragraphs', () => {
    expect(htmlFromPlain('Line <1>\nline 2\n\nNext & last')).toBe(
      '<p>Line &lt;1&gt;<br>line 2</p><p>Next &amp; last</p>',
    );
  });

  it('reads the text of HTML back with its line breaks', () => {
    expect(plainFromHtml('<p>Line &lt;1&gt;<br>line 2</p><p>Next &amp; "last"</p>')).toBe(
      'Line <1>\nline 2\n\nNext & "last"',
    );
  });
});
