import { startIdentityTestApp } from './testing/identity-test-app';

import { type INestApplicationContext } from '@nestjs/common';

import { ErrorCode } from '@steward/platform';

import { truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR } from './api-token.service';
import { GroupMembershipEntity } from './group-membership.entity';
import { GroupMembershipService } from './group-membership.service';
import { GroupService } from './group.service';
import { IdentityContributor } from './identity.contributor';

import type { UserEntity, UserRole } from './user.entity';
import { UserService } from './user.service';

describe('groups and group memberships', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let groups: GroupService;
  let memberships: GroupMembershipService;

  beforeAll(async () => {
    ({ app, setup } = await startIdentityTestApp());
    groups = app.get(GroupService);
    memberships = app.get(GroupMembershipService);
  });

  afterEach(async () => truncateAll(app.get(DataSource)));

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  async function user(email: string, role: UserRole): Promise<UserEntity> {
    return (await app.get(UserService).createUser({ email, role })).user;
  }

  describe('memberships', () => {
    it('refuses an end user, an inactive user and a deleted group', async () => {
      const endUser = await user('eve@example.com', 'end-user');
      const agent = await user('agent@example.com', 'agent');
      const it_ = await groups.create({ name: 'IT' }, SYSTEM_ACTOR);
      await expect(
        memberships.create({ userId: endUser.id, groupId: it_.id }, SYSTEM_ACTOR),
      ).rejects.toMatchObject({
        code: ErrorCode.Invalid,
        details: { user_id: [expect.any(String)] },
      });
      await groups.delete(it_.id, SYSTEM_ACTOR);
      await expect(
        memberships.create({ userId: agent.id, groupId: it_.id }, SYSTEM_ACTOR),
      ).rejects.toMatchObject({
        code: ErrorCode.Invalid,
        details: { group_id: [expect.any(String)] },
      });
    });

    it('keeps one default membership per user', async () => {
      const agent = await user('agent@example.com', 'agent');
      const a = await groups.create({ name: 'A' }, SYSTEM_ACTOR);
      const b = await groups.create({ name: 'B' }, SYSTEM_ACTOR);
      const first = await memberships.create({ userId: agent.id, groupId: a.id }, SYSTEM_ACTOR);
      const second = await memberships.create(
        { userId: agent.id, groupId: b.id, isDefault: true },
        SYSTEM_ACTOR,
      );
      expect(first.isDefault).toBe(true);
      expect(second.isDefault).toBe(true);
      expect((await memberships.show(first.id)).isDefault).toBe(false);
    });
  });

  describe('personal data', () => {
    it("exports a subject's memberships with the group names, and erasure deletes them", async () => {
      const agent = await user('agent@example.com', 'agent');
      const other = await user('other@example.com', 'agent');
      const it_ = await groups.create({ name: 'IT' }, SYSTEM_ACTOR);
      await memberships.create({ userId: agent.id, groupId: it_.id }, SYSTEM_ACTOR);
      await memberships.create({ userId: other.id, groupId: it_.id }, SYSTEM_ACTOR);
      const contributor = app.get(IdentityContributor);
      expect(contributor.covers).toContain(GroupMembershipEntity);
      const subject = { userId: String(agent.id), emails: [] };

      const parts = await contributor.exportSubject(subject);
      expect(parts.find((p) => p.category === 'group_memberships')?.records).toEqual([
        expect.objectContaining({ userId: agent.id, groupId: it_.id, groupName: 'IT' }),
      ]);
      expect(await contributor.planErasure(subject)).toContainEqual({
        category: 'group_memberships',
        action: 'delete',
        count: 1,
      });
      const results = await contributor.eraseSubject(subject, { label: 'Erased user 1234' });
      expect(results).toContainEqual({ category: 'group_memberships', deleted: 1, anonymised: 0 });
      const left = await app.get(DataSource).getRepository(GroupMembershipEntity).find();
      expect(left.map((m) => m.userId)).toEqual([other.id]);
    });
  });
});
