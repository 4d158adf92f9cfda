import { StewardError } from '@steward/platform';
import {
  checkConditions,
  checkExecution,
  compileConditions,
  MAX_CONDITIONS,
  type ViewContext,
} from './view-conditions';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const AGENT: ViewContext = { userId: 7, groupIds: [3, 4], now: NOW };

function compile(all: unknown[], any: unknown[] = [], context = AGENT) {
  return compileConditions(checkConditions({ all, any }), context);
}

/** The 422 details a bad input gets. */
function problem(work: () => unknown): Record<string, string[]> | undefined {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(StewardError);
    return (error as StewardError).details as Record<string, string[]>;
  }
  throw new Error('expected a 422');
}

describe('view conditions', () => {
  describe('compiling', () => {
    it('turns "status less than solved" into the unsolved statuses, as parameters', () => {
      expect(compile([{ field: 'status', operator: 'less_than', value: 'solved' }])).toEqual({
        where: 't.status IN (:...vc0)',
        params: { vc0: ['new', 'open', 'pending', 'hold'] },
        fields: ['status'],
        statuses: ['new', 'open', 'pending', 'hold'],
      });
      expect(compile([{ field: 'priority', operator: 'greater_than', value: 'normal' }])).toEqual({
        where: 't.priority IN (:...vc0)',
        params: { vc0: ['high', 'urgent'] },
        fields: ['priority'],
      });
      expect(compile([{ field: 'status', operator: 'greater_than', value: 'closed' }]).where).toBe(
        '1 = 0',
      );
    });

    it('reads current_user, current_groups and null (unassigned)', () => {
      expect(
        compile([
          { field: 'assignee_id', operator: 'is', value: 'current_user' },
          { field: 'group_id', operator: 'is', value: 'current_groups' },
          { field: 'assignee_id', operator: 'is', value: null },
          { field: 'requester_id', operator: 'is_not', value: 'current_user' },
        ]),
      ).toEqual({
        where:
          't.assignee_id = :vc0 AND t.group_id IN (:...vc1) AND t.assignee_id IS NULL AND t.requester_id <> :vc2',
        params: { vc0: 7, vc1: [3, 4], vc2: 7 },
        fields: ['assignee_id', 'group_id', 'requester_id'],
      });
    });

    it('matches nothing for current_groups of someone in no group, and everything for is_not', () => {
      const loner = { ...AGENT, groupIds: [] };
      expect(
        compile([{ field: 'group_id', operator: 'is', value: 'current_groups' }], [], loner),
      ).toMatchObject({ where: '1 = 0' });
      expect(
        compile([{ field: 'group_id', operator: 'is_not', value: 'current_groups' }], [], loner),
      ).toMatchObject({ where: '1 = 1' });
    });

    it('keeps the rows without a value when a nullable field "is not" something', () => {
      expect(compile([{ field: 'group_id', operator: 'is_not', value: '12' }])).toEqual({
        where: '(t.group_id IS NULL OR t.group_id <> :vc0)',
        params: { vc0: 12 },
        fields: ['group_id'],
      });
      expect(compile([{ field: 'type', operator: 'is_not', value: null }]).where).toBe(
        't.type IS NOT NULL',
      );
    });

    it('ANDs "all" and ORs "any"', () => {
      expect(
        compile(
          [{ field: 'status', operator: 'is', value: 'open' }],
          [
            { field: 'priority', operator: 'is', value: 'urgent' },
            { field: 'type', operator: 'is', value: 'incident' },
          ],
        ),
      ).toEqual({
        where: 't.status = :vc0 AND (t.priority = :vc1 OR t.type = :vc2)',
        params: { vc0: 'open', vc1: 'urgent', vc2: 'incident' },
        fields: ['status', 'priority', 'type'],
        statuses: ['open'],
      });
    });

    it('tests tags through ticket_tags with the tags as parameters, lower-cased', () => {
      const filter = compile([
        { field: 'current_tags', operator: 'not_includes', value: 'VPN  vip' },
      ]);
      expect(filter.where).toBe(
        'NOT EXISTS (SELECT 1 FROM ticket_tags vt WHERE vt.ticket_id = t.id AND vt.tag IN (:...vc0))',
      );
      expect(filter.params).toEqual({ vc0: ['vpn', 'vip'] });
    });

    it('turns hours since a time into a boundary time', () => {
      expect(compile([{ field: 'updated_at', operator: 'less_than', value: 168 }])).toEqual({
        where: 't.updated_at > :vc0',
        params: { vc0: new Date('2026-11-14T12:00:00.000Z') },
        fields: ['updated_at'],
      });
      expect(compile([{ field: 'created_at', operator: 'greater_than', value: '2' }])).toEqual({
        where: 't.created_at < :vc0',
        params: { vc0: new Date('2026-11-21T10:00:00.000Z') },
        fields: ['created_at'],
      });
    });

    it('never puts client text into the SQL', () => {
      const sneaky = "open'; DROP TABLE tickets; --";
      expect(problem(() => compile([{ field: 'status', operator: 'is', value: sneaky }]))).toEqual({
        conditions: [expect.stringContaining('one of new, open')],
      });
      const filter = compile([{ field: 'current_tags', operator: 'includes', value: 'a_b c-d' }]);
      expect(filter.where).not.toContain('a_b');
    });
  });

  describe('checking', () => {
    it.each([
      [null, 'must be {"all"'],
      [{ all: [] }, 'needs at least one condition'],
      [{ all: 'status' }, 'all must be a list'],
      [{ all: [{ field: 'subject', operator: 'is', value: 'x' }] }, 'not a field views can test'],
      [
        { all: [{ field: 'custom_fields_360', operator: 'includes', value: 'x' }] },
        'custom_fields_360 takes the operators is, is_not',
      ],
      [{ all: [{ field: 'status', operator: 'includes', value: 'open' }] }, 'takes the operators'],
      [{ all: [{ field: 'type', operator: 'less_than', value: 'task' }] }, 'takes the operators'],
      [{ all: [{ field: 'status', operator: 'is', value: null }] }, 'one of new'],
      [{ all: [{ field: 'requester_id', operator: 'is', value: null }] }, 'an id, current_user'],
      [{ all: [{ field: 'group_id', operator: 'is', value: 'current_user' }] }, 'current_groups'],
      [{ all: [{ field: 'organization_id', operator: 'is', value: -1 }] }, 'an id or null'],
      [{ all: [{ field: 'updated_at', operator: 'less_than', value: 0 }] }, 'number of hours'],
      [{ all: [{ field: 'updated_at', operator: 'is', value: 3 }] }, 'takes the operators'],
      [
        { all: [{ field: 'tags', operator: 'includes', value: '   ' }] },
        'tags separated by spaces',
      ],
      [{ all: [{ field: 'tags', operator: 'includes', value: '<b>' }] }, 'tags of letters'],
      [{ all: ['status'] }, 'each condition must be'],
    ])('refuses %j with a 422 that says why', (conditions, message) => {
      expect(problem(() => checkConditions(conditions))).toEqual({
        conditions: [expect.stringContaining(message)],
      });
    });

    it('refuses more than the largest number of conditions', () => {
      const many = Array.from({ length: MAX_CONDITIONS + 1 }, () => ({
        field: 'status',
        operator: 'is',
        value: 'open',
      }));
      expect(problem(() => checkConditions({ all: many }))).toEqual({
        conditions: [`at most ${MAX_CONDITIONS} conditions`],
      });
    });

    it('fills in the execution defaults and checks columns and orders', () => {
      expect(checkExecution(undefined)).toEqual({
        columns: ['subject', 'requester', 'updated'],
        sortBy: 'updated_at',
        sortOrder: 'desc',
        groupBy: null,
        groupOrder: 'asc',
      });
      expect(
        checkExecution({ columns: ['status', 'subject'], sort_by: 'priority', sort_order: 'asc' }),
      ).toMatchObject({ columns: ['status', 'subject'], sortBy: 'priority', sortOrder: 'asc' });
      for (const bad of [
        { columns: ['password'] },
        { columns: [] },
        { sort_by: 'subject' },
        { sort_order: 'up' },
        { group_by: 'requester' },
        'columns',
      ]) {
        expect(problem(() => checkExecution(bad))).toEqual({ execution: [expect.any(String)] });
      }
    });
  });
});
