import { type INestApplicationContext } from '@nestjs/common';
import { AuditLog } from '@steward/audit';
import { Clock, ErrorCode } from '@steward/platform';
import { truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR } from './api-token.service';
import { BreakGlassContributor } from './break-glass.contributor';
import { BREAK_GLASS_ENDED, BreakGlassService } from './break-glass.service';
import { ConfidentialAccess, contentFilterAllows } from './confidential-access.service';
import { GroupMembershipService } from './group-membership.service';
import { GroupService } from './group.service';
import { startIdentityTestApp } from './testing/identity-test-app';
import type { UserEntity, UserRole } from './user.entity';
import { UserRepository } from './user.repository';
import { UserService } from './user.service';

class TestClock extends Clock {
  private current = new Date('2026-11-21T08:00:00.000Z');

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

const HOUR = 3_600_000;
const REASON = 'Legal hold request from counsel, case 2026-114';

describe('confidential group content and break-glass access', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let access: ConfidentialAccess;
  let breakGlass: BreakGlassService;
  const clock = new TestClock();

  beforeAll(async () => {
    ({ app, setup } = await startIdentityTestApp({ clock }));
    access = app.get(ConfidentialAccess);
    breakGlass = app.get(BreakGlassService);
  });

  afterEach(async () => {
    await truncateAll(app.get(DataSource));
    clock.advance(24 * HOUR);
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  async function user(email: string, role: UserRole): Promise<UserEntity> {
    return (await app.get(UserService).createUser({ email, role })).user;
  }

  /** HR (confidential, with one member agent) and IT (not confidential), and the people. */
  async function desk() {
    const admin = await user('admin@example.com', 'admin');
    const member = await user('member@example.com', 'agent');
    const outsider = await user('outsider@example.com', 'agent');
    const endUser = await user('eve@example.com', 'end-user');
    const hr = await app.get(GroupService).create({ name: 'HR', confidential: true }, SYSTEM_ACTOR);
    const it_ = await app.get(GroupService).create({ name: 'IT' }, SYSTEM_ACTOR);
    await app
      .get(GroupMembershipService)
      .create({ userId: member.id, groupId: hr.id }, SYSTEM_ACTOR);
    return { admin, member, outsider, endUser, hr: hr.id, it: it_.id };
  }

  describe('without break-glass', () => {
    it("shows a confidential group's content to its members only, not to other agents or admins", async () => {
      const { admin, member, outsider, endUser, hr } = await desk();
      expect(await access.canSeeGroupContent(member, hr)).toBe(true);
      expect(await access.canSeeGroupContent(outsider, hr)).toBe(false);
      expect(await access.canSeeGroupContent(admin, hr)).toBe(false);
      expect(await access.canSeeGroupContent(endUser, hr)).toBe(false);
    });

    it('shows content of other groups, and content in no group, to staff who may read it', async () => {
      const { admin, outsider, endUser, it } = await desk();
      for (const staff of [admin, outsider]) {
        expect(await access.canSeeGroupContent(staff, it)).toBe(true);
        expect(await access.canSeeGroupContent(staff, null)).toBe(true);
      }
      expect(await access.canSeeGroupContent(endUser, it)).toBe(false);
      expect(await access.canSeeGroupContent(endUser, null)).toBe(false);
      expect(await access.canSeeGroupContent(outsider, 999_999)).toBe(false);
    });

    it('gives the same answers as a filter for queries', async () => {
      const { admin, member, outsider, endUser, hr, it } = await desk();
      expect(await access.contentFilter(member)).toEqual({
        kind: 'all-except',
        hiddenGroupIds: [],
      });
      for (const reader of [admin, outsider]) {
        const filter = await access.contentFilter(reader);
        expect(filter).toEqual({ kind: 'all-except', hiddenGroupIds: [hr] });
        expect(contentFilterAllows(filter, hr)).toBe(false);
        expect(contentFilterAllows(filter, it)).toBe(true);
        expect(contentFilterAllows(filter, null)).toBe(true);
      }
      expect(await access.contentFilter(endUser)).toEqual({ kind: 'none' });
      expect(contentFilterAllows({ kind: 'none' }, it)).toBe(false);
    });

    it("keeps a deleted confidential group's content hidden from its former members", async () => {
      const { member, hr } = await desk();
      await app.get(GroupService).delete(hr, SYSTEM_ACTOR);
      expect(await access.canSeeGroupContent(member, hr)).toBe(false);
      expect(await access.contentFilter(member)).toEqual({
        kind: 'all-except',
        hiddenGroupIds: [hr],
      });
    });

    it('shows nothing to a deactivated member', async () => {
      const { member, hr } = await desk();
      expect(await access.canSeeGroupContent({ ...member, active: false }, hr)).toBe(false);
    });
  });

  describe('with break-glass', () => {
    it("opens a confidential group's content to the admin for the TTL, and audits the reason", async () => {
      const { admin, outsider, hr } = await desk();
      const grant = await breakGlass.open(hr, `  ${REASON}  `, admin);
      expect(grant).toMatchObject({
        userId: admin.id,
        groupId: hr,
        reason: REASON,
        active: true,
        endedAt: null,
      });
      expect(grant.expiresAt.getTime() - grant.createdAt.getTime()).toBe(
        setup.config.breakGlassTtlMs,
      );
      expect(await access.canSeeGroupContent(admin, hr)).toBe(true);
      expect(await access.contentFilter(admin)).toEqual({ kind: 'all-except', hiddenGroupIds: [] });
      expect(await access.canSeeGroupContent(outsider, hr)).toBe(false);

      const { entries } = await app.get(AuditLog).query({ action: 'break_glass.accessed' });
      expect(entries).toEqual([
        expect.objectContaining({
          actorType: 'user',
          actorId: String(admin.id),
          targetType: 'group',
          targetId: String(hr),
          details: { grantId: grant.id, reason: REASON, expiresAt: grant.expiresAt.toISOString() },
        }),
      ]);
    });

    it('closes again when the grant expires', async () => {
      const { admin, hr } = await desk();
      await breakGlass.open(hr, REASON, admin);
      clock.advance(setup.config.breakGlassTtlMs - 1);
      expect(await access.canSeeGroupContent(admin, hr)).toBe(true);
      clock.advance(1);
      expect(await access.canSeeGroupContent(admin, hr)).toBe(false);
      expect(await access.contentFilter(admin)).toEqual({
        kind: 'all-except',
        hiddenGroupIds: [hr],
      });
      const { grants } = await breakGlass.list(admin, {}, { offset: 0, perPage: 100 });
      expect(grants.map((g) => g.active)).toEqual([false]);
    });

    it('closes when an admin ends the grant early, audits that once, and then ignores a repeat', async () => {
      const { admin, hr } = await desk();
      const other = await user('other-admin@example.com', 'admin');
      const grant = await breakGlass.open(hr, REASON, admin);
      await breakGlass.end(grant.id, other);
      expect(await access.canSeeGroupContent(admin, hr)).toBe(false);
      expect(await breakGlass.show(grant.id, admin)).toMatchObject({
        active: false,
        endedAt: clock.now(),
      });
      await breakGlass.end(grant.id, other);
      const { entries } = await app.get(AuditLog).query({ action: BREAK_GLASS_ENDED });
      expect(entries).toEqual([
        expect.objectContaining({
          actorId: String(other.id),
          targetId: String(hr),
          details: { grantId: grant.id, userId: admin.id },
        }),
      ]);
      await expect(breakGlass.end(999_999, other)).rejects.toMatchObject({
        code: ErrorCode.NotFound,
      });
    });

    it('stops counting a grant once its holder is no longer an admin', async () => {
      const { admin, hr } = await desk();
      await breakGlass.open(hr, REASON, admin);
      await app.get(UserRepository).update(admin.id, { role: 'agent' });
      const demoted = { ...admin, role: 'agent' as const };
      expect(await access.canSeeGroupContent(demoted, hr)).toBe(false);
      expect(await access.contentFilter(demoted)).toEqual({
        kind: 'all-except',
        hiddenGroupIds: [hr],
      });
    });

    it('lists grants by group and only the active ones', async () => {
      const { admin, hr } = await desk();
      const legal = await app
        .get(GroupService)
        .create({ name: 'Legal', confidential: true }, SYSTEM_ACTOR);
      const first = await breakGlass.open(hr, REASON, admin);
      const second = await breakGlass.open(legal.id, REASON, admin);
      const third = await breakGlass.open(hr, REASON, admin);
      await breakGlass.end(first.id, admin);
      const window = { offset: 0, perPage: 100 };
      const ids = async (query: Parameters<BreakGlassService['list']>[1]) =>
        (await breakGlass.list(admin, query, window)).grants.map((g) => g.id);
      expect(await ids({})).toEqual([first.id, second.id, third.id]);
      expect(await ids({ groupId: hr })).toEqual([first.id, third.id]);
      expect(await ids({ activeOnly: true })).toEqual([second.id, third.id]);
      expect(await ids({ groupId: hr, activeOnly: true })).toEqual([third.id]);
      expect(await breakGlass.list(admin, {}, { offset: 1, perPage: 1 })).toMatchObject({
        count: 3,
        grants: [expect.objectContaining({ id: second.id })],
      });
    });

    it('refuses a group that is missing or not confidential, a bad reason, and a non-admin', async () => {
      const { admin, member, hr, it } = await desk();
      const invalid = (field: string) => ({
        code: ErrorCode.Invalid,
        details: { [field]: [expect.any(String)] },
      });
      await expect(breakGlass.open(it, REASON, admin)).rejects.toMatchObject(invalid('group_id'));
      await expect(breakGlass.open(999_999, REASON, admin)).rejects.toMatchObject(
        invalid('group_id'),
      );
      for (const reason of [
        '',
        '   ',
        'too short',
        'x'.repeat(1001),
        'line one\nline two is here',
      ]) {
        await expect(breakGlass.open(hr, reason, admin)).rejects.toMatchObject(invalid('reason'));
      }
      await expect(breakGlass.open(hr, REASON, member)).rejects.toMatchObject({
        code: ErrorCode.Forbidden,
      });
      expect(await access.canSeeGroupContent(admin, hr)).toBe(false);
      const { entries } = await app.get(AuditLog).query({ action: 'break_glass.accessed' });
      expect(entries).toEqual([]);
    });
  });

  describe('as a personal data contributor', () => {
    it('exports the grants the subject held and reasons that mention them', async () => {
      const { admin, hr } = await desk();
      await breakGlass.open(hr, REASON, admin);
      await breakGlass.open(hr, 'Complaint about Member@Example.com, case 7', admin);
      const parts = await app
        .get(BreakGlassContributor)
        .exportSubject({ userId: String(admin.id), emails: [] });
      expect(parts[0]).toMatchObject({ category: 'break_glass_grants', schemaVersion: 1 });
      expect(parts[0]?.records).toEqual([
        expect.objectContaining({ groupId: hr, groupName: 'HR', reason: REASON }),
        expect.objectContaining({ reason: 'Complaint about Member@Example.com, case 7' }),
      ]);
      const mentioned = await app
        .get(BreakGlassContributor)
        .exportSubject({ emails: ['member@example.com'] });
      expect(mentioned[0]?.records).toEqual([]);
      expect(mentioned[1]?.records).toEqual([
        expect.objectContaining({ reason: 'Complaint about Member@Example.com, case 7' }),
      ]);
    });

    it('keeps the grants on erasure and replaces mentions of the subject in reasons', async () => {
      const { admin, hr } = await desk();
      const grant = await breakGlass.open(hr, 'Complaint about member@example.com, case 7', admin);
      const contributor = app.get(BreakGlassContributor);
      const subject = { emails: ['member@example.com'] };
      expect(await contributor.planErasure(subject)).toEqual([
        expect.objectContaining({ category: 'break_glass_grants', action: 'keep', count: 0 }),
        expect.objectContaining({ category: 'break_glass_reason_mentions', count: 1 }),
      ]);
      expect(await contributor.eraseSubject(subject, { label: 'Erased user 1a2b' })).toEqual([
        { category: 'break_glass_grants', deleted: 0, anonymised: 0 },
        { category: 'break_glass_reason_mentions', deleted: 0, anonymised: 1 },
      ]);
      expect(await breakGlass.show(grant.id, admin)).toMatchObject({
        reason: 'Complaint about Erased user 1a2b, case 7',
        userId: admin.id,
      });
    });
  });
});
