import { type INestApplicationContext } from '@nestjs/common';
import { AuditLog } from '@steward/audit';
import { ErrorCode } from '@steward/platform';
import { truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { ApiTokenService, SYSTEM_ACTOR } from './api-token.service';
import { CustomRoleService } from './custom-role.service';
import { IdentityContributor } from './identity.contributor';
import { PolicyService } from './policy.service';
import { SessionStore } from './session-store';
import { SessionService } from './session.service';
import { startIdentityTestApp } from './testing/identity-test-app';
import { UserAccountService } from './user-account.service';
import { UserEntity } from './user.entity';
import { UserService } from './user.service';

describe('custom roles', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let roles: CustomRoleService;
  let users: UserService;
  let policy: PolicyService;

  beforeAll(async () => {
    ({ app, setup } = await startIdentityTestApp());
    roles = app.get(CustomRoleService);
    users = app.get(UserService);
    policy = app.get(PolicyService);
  });

  afterEach(async () => {
    const all = await app.get(DataSource).getRepository(UserEntity).find();
    await app.get(SessionStore).deleteByUsers(all.map((user) => user.id));
    await truncateAll(app.get(DataSource));
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  const triage = () =>
    roles.create(
      {
        name: 'Triage',
        description: 'Reads and sorts tickets',
        permissions: ['tickets.write', 'users.me', 'tickets.read'],
      },
      SYSTEM_ACTOR,
    );

  async function agentWith(roleId: number, email = 'cara@example.com'): Promise<UserEntity> {
    return (await users.createUser({ email, role: 'agent', customRoleId: roleId })).user;
  }

  it('stores a role with its permissions in a fixed order, each once, and audits it', async () => {
    const { role, holders } = await triage();
    expect(role).toMatchObject({
      name: 'Triage',
      description: 'Reads and sorts tickets',
      permissions: ['users.me', 'tickets.read', 'tickets.write'],
    });
    expect(holders).toBe(0);
    const page = await app.get(AuditLog).query({ action: 'custom_role.changed' });
    expect(page.entries[0]).toMatchObject({
      targetType: 'custom_role',
      targetId: String(role.id),
      details: { change: 'created', name: 'Triage' },
    });
  });

  it.each([
    ['users.manage'],
    ['audit_logs.read'],
    ['custom_roles.manage'],
    ['groups.manage'],
    ['no.such.permission'],
  ])('refuses to put %s in a custom role', async (permission) => {
    await expect(
      roles.create({ name: 'Too much', permissions: ['users.me', permission] }, SYSTEM_ACTOR),
    ).rejects.toMatchObject({
      code: ErrorCode.Invalid,
      details: { permissions: [expect.any(String)] },
    });
  });

  it('refuses a blank or duplicate name (whatever its case) and a missing permission list', async () => {
    await triage();
    await expect(roles.create({ name: ' ', permissions: [] }, SYSTEM_ACTOR)).rejects.toMatchObject({
      details: { name: ['cannot be blank'] },
    });
    await expect(
      roles.create({ name: 'TRIAGE', permissions: [] }, SYSTEM_ACTOR),
    ).rejects.toMatchObject({ details: { name: ['has already been taken'] } });
    await expect(roles.create({ name: 'No list' }, SYSTEM_ACTOR)).rejects.toMatchObject({
      details: { permissions: [expect.stringMatching(/required/)] },
    });
  });

  it('loads the role with the user on the API token path, and the policy grants what it lists', async () => {
    const { role } = await triage();
    const agent = await agentWith(role.id);
    const { token } = await app.get(ApiTokenService).create(agent.id, 'test');
    const authenticated = await app.get(ApiTokenService).authenticate(token);
    expect(authenticated?.customRole).toMatchObject({ id: role.id, permissions: role.permissions });
    expect(policy.can(authenticated!, 'tickets.write')).toBe(true);
    expect(policy.can(authenticated!, 'users.read')).toBe(false);
  });

  it('loads the role with the user on the session path', async () => {
    const { role } = await triage();
    const agent = await agentWith(role.id);
    const opened = await app
      .get(SessionService)
      .open(agent.id, { ip: null, userAgent: null }, false);
    const session = await app.get(SessionService).authenticate(opened.token);
    expect(session?.user.customRole).toMatchObject({ id: role.id });
    expect(policy.can(session!.user, 'tickets.read')).toBe(true);
    expect(policy.can(session!.user, 'users.write')).toBe(false);
  });

  it('applies a change of the permissions to the next lookup of the user, and audits from and to', async () => {
    const { role } = await triage();
    const agent = await agentWith(role.id);
    await roles.update(role.id, { permissions: ['users.me', 'users.read'] }, SYSTEM_ACTOR);
    const reloaded = (await users.findById(agent.id))!;
    expect(policy.can(reloaded, 'users.read')).toBe(true);
    expect(policy.can(reloaded, 'tickets.read')).toBe(false);
    const page = await app.get(AuditLog).query({ action: 'custom_role.changed' });
    expect(page.entries[0]).toMatchObject({
      details: {
        change: 'updated',
        fields: ['permissions'],
        from: ['users.me', 'tickets.read', 'tickets.write'],
        to: ['users.me', 'users.read'],
      },
    });
  });

  it('records nothing for an update that changes nothing', async () => {
    const { role } = await triage();
    await roles.update(
      role.id,
      { name: 'Triage', permissions: ['tickets.read', 'users.me', 'tickets.write'] },
      SYSTEM_ACTOR,
    );
    const page = await app.get(AuditLog).query({ action: 'custom_role.changed' });
    expect(page.entries).toHaveLength(1);
  });

  it('refuses to delete a role that users hold (422, naming how many), and deletes it once none does', async () => {
    const { role } = await triage();
    const agent = await agentWith(role.id);
    await agentWith(role.id, 'dan@example.com');
    await expect(roles.delete(role.id, SYSTEM_ACTOR)).rejects.toMatchObject({
      code: ErrorCode.Invalid,
      details: { custom_role: [expect.stringMatching(/^2 agents hold this role/)] },
    });
    expect((await roles.show(role.id)).holders).toBe(2);

    const accounts = app.get(UserAccountService);
    const admin = (await users.createUser({ email: 'admin@example.com', role: 'admin' })).user;
    const actor = { user: admin, audit: SYSTEM_ACTOR };
    await accounts.update(agent.id, { roleType: 1 }, actor);
    await accounts.update(
      (await users.findByEmail('dan@example.com'))!.id,
      { role: 'end-user' },
      actor,
    );
    await roles.delete(role.id, SYSTEM_ACTOR);
    await expect(roles.show(role.id)).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('lets an erased agent go: the tombstone holds no role, and no phone', async () => {
    const { role } = await triage();
    const agent = (
      await users.createUser({
        email: 'cara@example.com',
        role: 'agent',
        customRoleId: role.id,
        phone: '+1 (555) 010-9999',
      })
    ).user;
    await app
      .get(IdentityContributor)
      .eraseSubject({ userId: String(agent.id), emails: [] }, { label: 'Erased user 1' });
    const tombstone = (await users.findById(agent.id))!;
    expect(tombstone).toMatchObject({ phone: null, customRoleId: null, name: 'Erased user 1' });
    await roles.delete(role.id, SYSTEM_ACTOR);
  });

  it('exports the profile fields with the profile', async () => {
    const agent = (
      await users.createUser({
        email: 'cara@example.com',
        role: 'agent',
        phone: '+41 44 000 00 00',
        locale: 'de-ch',
        timeZone: 'europe/zurich',
      })
    ).user;
    const parts = await app
      .get(IdentityContributor)
      .exportSubject({ userId: String(agent.id), emails: [] });
    expect(parts.find((part) => part.category === 'profile')?.records).toEqual([
      expect.objectContaining({
        phone: '+41 44 000 00 00',
        locale: 'de-CH',
        timeZone: 'Europe/Zurich',
      }),
    ]);
  });
});
