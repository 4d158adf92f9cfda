import type { UserRole } from './user.entity';
import {
  AGENT_GRANTABLE_PERMISSIONS,
  isAgentGrantable,
  isPermission,
  PERMISSIONS,
  PolicyService,
  type Permission,
} from './policy.service';

const policy = new PolicyService();
const user = (role: string, active = true, erasedAt: Date | null = null) => ({
  role: role as UserRole,
  active,
  erasedAt,
});

describe('PolicyService', () => {
  it.each([
    ['admin', 'users.me', true],
    ['admin', 'users.read', true],
    ['agent', 'users.me', true],
    ['agent', 'users.read', true],
    ['end-user', 'users.me', true],
    ['end-user', 'users.read', false],
    ['agent', 'users.write', true],
    ['agent', 'users.manage', false],
    ['agent', 'audit_logs.read', false],
    ['end-user', 'users.write', false],
    ['end-user', 'audit_logs.read', false],
    ['agent', 'tickets.read', true],
    ['agent', 'tickets.read_all', false],
    ['agent', 'tickets.delete', false],
    ['admin', 'tickets.read_all', true],
    ['end-user', 'tickets.read', false],
  ])('%s may %s: %s', (role, permission, expected) => {
    expect(policy.can(user(role), permission)).toBe(expected);
  });

  it.each([
    ['admin', 'admin', true],
    ['admin', 'agent', true],
    ['agent', 'end-user', true],
    ['agent', 'agent', false],
    ['agent', 'admin', false],
    ['end-user', 'end-user', false],
  ])('lets a(n) %s edit a(n) %s: %s', (actor, target, expected) => {
    expect(policy.canEditUser(user(actor), { role: target as UserRole })).toBe(expected);
  });

  it('grants an admin every listed permission', () => {
    for (const permission of PERMISSIONS) expect(policy.can(user('admin'), permission)).toBe(true);
  });

  it('denies a permission that is not listed, even to an admin', () => {
    expect(policy.can(user('admin'), 'users.delete-everything')).toBe(false);
    expect(policy.can(user('admin'), 'toString')).toBe(false);
  });

  it('denies a role it does not know', () => {
    expect(policy.can(user('superuser'), 'users.me')).toBe(false);
    expect(policy.can(user('__proto__'), 'users.me')).toBe(false);
  });

  it('denies an inactive or erased user everything', () => {
    expect(policy.can(user('admin', false), 'users.me')).toBe(false);
    expect(policy.can(user('admin', true, new Date()), 'users.me')).toBe(false);
  });
});

describe('PolicyService: light agents and custom roles', () => {
  const lightAgent = user('light-agent');
  const role = {
    id: 7,
    permissions: ['users.me', 'tickets.read', 'organizations.manage'] as const,
  };
  const customAgent = {
    ...user('agent'),
    customRoleId: 7,
    customRole: { ...role, permissions: [...role.permissions] },
  };

  it.each([
    ['users.me', true],
    ['users.read', true],
    ['organizations.read', true],
    ['groups.read', true],
    ['tickets.read', true],
    ['tickets.comment_internal', true],
    ['tickets.comment_public', false],
    ['tickets.write', false],
    ['tickets.read_all', false],
    ['users.write', false],
    ['groups.manage', false],
  ])('a light agent may %s: %s', (permission, expected) => {
    expect(policy.can(lightAgent, permission)).toBe(expected);
  });

  it('lets a light agent edit nobody, not even an end user', () => {
    expect(policy.canEditUser(lightAgent, { role: 'end-user' })).toBe(false);
  });

  it('grants a custom-role agent what the role lists, and nothing an agent would otherwise have', () => {
    expect(policy.can(customAgent, 'tickets.read')).toBe(true);
    expect(policy.can(customAgent, 'organizations.manage')).toBe(true);
    expect(policy.can(customAgent, 'users.read')).toBe(false);
    expect(policy.can(customAgent, 'tickets.write')).toBe(false);
  });

  it('never grants an admin-only permission through a custom role, even one stored in it', () => {
    const tampered = {
      ...customAgent,
      customRole: { id: 7, permissions: ['users.manage', 'audit_logs.read'] as Permission[] },
    };
    expect(policy.can(tampered, 'users.manage')).toBe(false);
    expect(policy.can(tampered, 'audit_logs.read')).toBe(false);
  });

  it('denies everything when the custom role was not loaded with the user, or is another one', () => {
    expect(policy.can({ ...user('agent'), customRoleId: 7 }, 'users.me')).toBe(false);
    expect(policy.can({ ...user('agent'), customRoleId: 7, customRole: null }, 'users.me')).toBe(
      false,
    );
    expect(policy.can({ ...customAgent, customRoleId: 8 }, 'users.me')).toBe(false);
  });

  it('gives a custom role only to agents: an end user or admin with one gets nothing', () => {
    expect(policy.can({ ...customAgent, role: 'end-user' }, 'users.me')).toBe(false);
    expect(policy.can({ ...customAgent, role: 'admin' }, 'users.me')).toBe(false);
  });

  it('denies an inactive custom-role agent everything', () => {
    expect(policy.can({ ...customAgent, active: false }, 'users.me')).toBe(false);
  });

  it('keeps admin-only permissions out of what a custom role may grant', () => {
    for (const name of [
      'users.manage',
      'audit_logs.read',
      'custom_roles.manage',
      'groups.manage',
      'groups.break_glass',
    ]) {
      expect(isAgentGrantable(name)).toBe(false);
    }
    for (const name of AGENT_GRANTABLE_PERMISSIONS) expect(isPermission(name)).toBe(true);
  });
});
