import type { GroupEntity } from './group.entity';
import { PolicyService } from './policy.service';
import type { UserRole } from './user.entity';

const policy = new PolicyService();
const user = (role: UserRole, active = true) => ({ role, active, erasedAt: null });
const group = (
  confidential: boolean,
  deleted = false,
): Pick<GroupEntity, 'confidential' | 'deletedAt'> => ({
  confidential,
  deletedAt: deleted ? new Date() : null,
});

describe('PolicyService.canSeeGroup', () => {
  it.each<[string, UserRole, boolean, boolean, boolean]>([
    ['an admin, a confidential group they are not in', 'admin', true, false, true],
    ['an agent, a confidential group they are in', 'agent', true, true, true],
    ['an agent, a confidential group they are not in', 'agent', true, false, false],
    ['an agent, an open group they are not in', 'agent', false, false, true],
    ['an end user, an open group', 'end-user', false, false, false],
    ['an end user, a group they are somehow in', 'end-user', false, true, false],
  ])('%s: %s', (_case, role, confidential, member, expected) => {
    expect(policy.canSeeGroup(user(role), group(confidential), member)).toBe(expected);
  });

  it('hides a deleted group from agents, even members, but not from admins', () => {
    expect(policy.canSeeGroup(user('agent'), group(false, true), true)).toBe(false);
    expect(policy.canSeeGroup(user('admin'), group(false, true), false)).toBe(true);
  });

  it('shows nothing to an inactive admin', () => {
    expect(policy.canSeeGroup(user('admin', false), group(false), true)).toBe(false);
  });

  it.each([
    ['admin', 'organizations.manage', true],
    ['admin', 'groups.manage', true],
    ['agent', 'organizations.read', true],
    ['agent', 'groups.read', true],
    ['agent', 'organizations.manage', false],
    ['agent', 'groups.manage', false],
    ['end-user', 'organizations.read', false],
    ['end-user', 'groups.read', false],
  ] as const)('%s may %s: %s', (role, permission, expected) => {
    expect(policy.can(user(role), permission)).toBe(expected);
  });
});
