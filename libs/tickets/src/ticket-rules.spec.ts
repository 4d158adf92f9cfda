import { MAX_TAGS, nextStatus, normaliseTags } from './ticket-rules';

const unassigned = { assigneeId: null };
const assigned = { assigneeId: 7 };

describe('ticket status rules', () => {
  it('creates new tickets as new, or open when someone is assigned', () => {
    expect(nextStatus(undefined, undefined, unassigned)).toBe('new');
    expect(nextStatus(undefined, undefined, assigned)).toBe('open');
    expect(nextStatus(undefined, 'pending', unassigned)).toBe('pending');
  });

  it('opens a new ticket when it is assigned', () => {
    expect(nextStatus('new', undefined, assigned)).toBe('open');
  });

  it('never goes back to new', () => {
    expect(() => nextStatus('open', 'new', unassigned)).toThrow('Record validation errors');
  });

  it('needs an assignee to solve', () => {
    expect(() => nextStatus('open', 'solved', unassigned)).toThrow('Record validation errors');
    expect(nextStatus('open', 'solved', assigned)).toBe('solved');
  });

  it('closes only solved tickets, and a closed ticket never changes', () => {
    expect(() => nextStatus('open', 'closed', assigned)).toThrow('Record validation errors');
    expect(nextStatus('solved', 'closed', assigned)).toBe('closed');
    expect(() => nextStatus('closed', 'open', assigned)).toThrow('Record validation errors');
    expect(() => nextStatus('closed', undefined, assigned)).toThrow('Record validation errors');
  });

  it('reopens solved tickets', () => {
    expect(nextStatus('solved', 'open', assigned)).toBe('open');
  });
});

describe('tags', () => {
  it('lower-cases, splits on spaces and commas, and drops duplicates', () => {
    expect(normaliseTags(['VPN remote', 'vpn,Laptop', 'höhe'])).toEqual([
      'vpn',
      'remote',
      'laptop',
      'höhe',
    ]);
  });

  it('refuses tags with other characters, too long tags and too many tags', () => {
    expect(() => normaliseTags(['<script>'])).toThrow('Record validation errors');
    expect(() => normaliseTags(['a'.repeat(81)])).toThrow('Record validation errors');
    const many = Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`);
    expect(() => normaliseTags(many)).toThrow('Record validation errors');
  });
});
