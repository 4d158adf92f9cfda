import type { UserRole } from './user.entity';
import { PERMISSIONS, PolicyService } from './policy.service';

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
