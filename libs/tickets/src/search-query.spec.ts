import { ErrorCode, StewardError } from '@steward/platform';
import { MAX_SEARCH_CLAUSES, MAX_SEARCH_QUERY_LENGTH, parseSearchQuery } from './search-query';
import { searchTokens } from './search-text';

const NOW = new Date('2026-06-15T12:00:00.000Z');

function parse(input: unknown) {
  return parseSearchQuery(input, NOW);
}

/** The 422 problem the parser gives, or undefined when it accepts the input. */
function problem(input: unknown): string | undefined {
  try {
    parse(input);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(StewardError);
    expect((error as StewardError).code).toBe(ErrorCode.Invalid);
    return (error as StewardError).details?.query?.[0];
  }
}

describe('parseSearchQuery', () => {
  it('reads words and quoted phrases as free text, in order', () => {
    expect(parse('vpn "drops every hour" printer').text).toEqual([
      { kind: 'text', value: 'vpn', phrase: false, negated: false },
      { kind: 'text', value: 'drops every hour', phrase: true, negated: false },
      { kind: 'text', value: 'printer', phrase: false, negated: false },
    ]);
  });

  it('negates a word, a phrase or a filter with a leading minus', () => {
    const query = parse('-vpn -"dial up" -status:closed');
    expect(query.text.map((t) => [t.value, t.negated])).toEqual([
      ['vpn', true],
      ['dial up', true],
    ]);
    expect(query.filters).toEqual([
      { kind: 'filter', field: 'status', comparison: ':', value: 'closed', negated: true },
    ]);
  });

  it('reads a minus followed by a space as text, not as negation', () => {
    expect(parse('a - b').text.map((t) => [t.value, t.negated])).toEqual([
      ['a', false],
      ['-', false],
      ['b', false],
    ]);
  });

  it('reads every comparison and quoted filter values', () => {
    const query = parse('priority>normal priority<=urgent status>=open group:"Human Resources"');
    expect(query.filters.map((f) => [f.field, f.comparison, f.value])).toEqual([
      ['priority', '>', 'normal'],
      ['priority', '<=', 'urgent'],
      ['status', '>=', 'open'],
      ['group', ':', 'Human Resources'],
    ]);
  });

  it('accepts the Zendesk spellings of the issue', () => {
    const query = parse(
      'status:open assignee:me group:"HR" tags:vpn requester:alice@example.com created>2026-01-01 type:ticket',
    );
    expect(query.resultType).toBe('ticket');
    expect(query.filters.map((f) => `${f.field}${f.comparison}${f.value}`)).toEqual([
      'status:open',
      'assignee:me',
      'group:HR',
      'tags:vpn',
      'requester:alice@example.com',
      'created>2026-01-01',
    ]);
  });

  it('takes aliases and lower-cases field names and enumerated values', () => {
    const query = parse('TAG:vpn Status:OPEN created_at:2026-01-02');
    expect(query.filters.map((f) => [f.field, f.value])).toEqual([
      ['tags', 'vpn'],
      ['status', 'open'],
      ['created', '2026-01-02'],
    ]);
  });

  it('turns a day into the UTC range of that day', () => {
    const [filter] = parse('created:2026-02-28').filters;
    expect(filter.range).toEqual({
      from: new Date('2026-02-28T00:00:00.000Z'),
      to: new Date('2026-03-01T00:00:00.000Z'),
    });
  });

  it('turns a time and a time ago into one millisecond', () => {
    expect(parse('updated>2026-01-31T09:30:00+01:00').filters[0].range).toEqual({
      from: new Date('2026-01-31T08:30:00.000Z'),
      to: new Date('2026-01-31T08:30:00.001Z'),
    });
    expect(parse('updated>24hours').filters[0].range?.from).toEqual(
      new Date('2026-06-14T12:00:00.000Z'),
    );
    expect(parse('created<2weeks').filters[0].range?.from).toEqual(
      new Date('2026-06-01T12:00:00.000Z'),
    );
  });

  it('reads type:user and type:ticket; a bare query has no type', () => {
    expect(parse('type:user ann').resultType).toBe('user');
    expect(parse('TYPE:Ticket vpn').resultType).toBe('ticket');
    expect(parse('vpn').resultType).toBeUndefined();
  });

  it('accepts none for priority and ticket type, but not in comparisons', () => {
    expect(parse('priority:none ticket_type:none').filters.map((f) => f.value)).toEqual([
      'none',
      'none',
    ]);
    expect(problem('priority>none')).toMatch(/priority must be one of low/);
  });

  it.each([
    ['foo:bar', /foo is not a searchable field/],
    ['http://example.com', /http is not a searchable field.*quotes/],
    ['status:', /status: needs a value/],
    ['status:"  "', /status: needs a value/],
    ['status:gone', /status must be one of new, open/],
    ['priority:critical', /priority must be one of/],
    ['ticket_type:bug', /ticket_type must be one of question/],
    ['tags>vpn', /tags takes tags:value only/],
    ['assignee<5', /assignee takes assignee:value only/],
    ['created:yesterday', /created takes a date/],
    ['created>2026-02-30', /no such day/],
    ['created>0000-01-01', /no such day/],
    ['created>999999years', /created takes a date/],
    ['type:organization', /type:organization is not searchable/],
    ['type>user', /type takes type:ticket or type:user/],
    ['-type:user', /type takes type:ticket or type:user/],
    ['type:user type:ticket', /type may be given once/],
    ['type:user status:open', /users are searched by text only/],
    ['a\u0000b', /control characters/],
    ['a\ud800b', /not valid Unicode/],
    [undefined, /is required/],
    [42, /is required/],
    [['status:open'], /is required/],
  ])('refuses %j with a clear 422', (input, message) => {
    expect(problem(input)).toMatch(message);
  });

  it('refuses queries that are too long or have too many clauses', () => {
    expect(problem('a'.repeat(MAX_SEARCH_QUERY_LENGTH + 1))).toMatch(/at most 1000 characters/);
    expect(problem(Array.from({ length: MAX_SEARCH_CLAUSES + 1 }, () => 'a').join(' '))).toMatch(
      /at most 32 words/,
    );
    expect(
      problem(Array.from({ length: MAX_SEARCH_CLAUSES }, () => 'a').join(' ')),
    ).toBeUndefined();
  });

  it('takes an unterminated quote as a phrase to the end', () => {
    expect(parse('"vpn drops').text).toEqual([
      { kind: 'text', value: 'vpn drops', phrase: true, negated: false },
    ]);
    expect(parse('-"').text).toEqual([]);
  });

  it.each([
    '"',
    '""',
    '*',
    '+vpn',
    '(vpn OR printer)',
    'vpn NEAR printer',
    'vpn AND printer',
    "'; DROP TABLE tickets; --",
    "1' OR '1'='1",
    '" OR 1=1 --',
    'subject:"a"b"',
    '\\"',
    '%_%',
    '@@version',
    '東京 "都に住む"',
    '🙂🙂',
    '-',
    '--',
    '- -',
  ])('parses operator and injection text %j as plain text without throwing', (input) => {
    expect(() => parse(input)).not.toThrow();
  });

  it('never throws anything but its 422 on random input', () => {
    const alphabet = [
      'a',
      'Z',
      '9',
      ' ',
      '"',
      '-',
      ':',
      '<',
      '>',
      '=',
      '*',
      '(',
      ')',
      "'",
      ';',
      '\\',
      '東',
      '🙂',
      '\u00e9',
      'status',
      'tags',
      'created',
      'type',
      'user',
      '2026-01-01',
      '\t',
      '\n',
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 3000; run += 1) {
      const length = Math.floor(random() * 20);
      const input = Array.from(
        { length },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
      problem(input);
    }
  });
});

describe('searchTokens', () => {
  it('lower-cases words and drops punctuation and operators', () => {
    expect(searchTokens('VPN drops! (every) "hour" +NEAR* -x')).toEqual([
      'vpn',
      'drops',
      'every',
      'hour',
      'near',
      'x',
    ]);
  });

  it('keeps nothing of SQL or engine syntax but the words', () => {
    expect(searchTokens("'; DROP TABLE tickets; --")).toEqual(['drop', 'table', 'tickets']);
    expect(searchTokens('"*+-()')).toEqual([]);
  });

  it('ignores accents on Latin letters', () => {
    expect(searchTokens('Café Ærø naïve')).toEqual(searchTokens('cafe ærø naive'));
  });

  it('splits Chinese, Japanese and Korean runs into overlapping pairs', () => {
    expect(searchTokens('東京都に住む')).toEqual(['東京', '京都', '都に', 'に住', '住む']);
    expect(searchTokens('VPN接続')).toEqual(['vpn', '接続']);
    expect(searchTokens('猫')).toEqual(['猫']);
    expect(searchTokens('서울 지사')).toEqual(['서울', '지사']);
  });

  it('keeps the voiced marks of kana', () => {
    expect(searchTokens('ガス')).not.toEqual(searchTokens('カス'));
  });

  it('cuts very long words to 40 characters', () => {
    expect(searchTokens('x'.repeat(100))).toEqual(['x'.repeat(40)]);
  });
});
