import { startIdentityTestApp } from './testing/identity-test-app';

import { type INestApplicationContext } from '@nestjs/common';

import { ErrorCode } from '@steward/platform';
import { PrivacyRegistry } from '@steward/privacy';
import { truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR } from './api-token.service';

import { OrganizationContributor } from './organization.contributor';
import { OrganizationEntity } from './organization.entity';
import { OrganizationService } from './organization.service';
import { UserService } from './user.service';

describe('organizations', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let organizations: OrganizationService;

  beforeAll(async () => {
    ({ app, setup } = await startIdentityTestApp());
    organizations = app.get(OrganizationService);
  });

  afterEach(async () => truncateAll(app.get(DataSource)));

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  it('stores domains lower case, once, and finds the organization of an address by them', async () => {
    const acme = await organizations.create(
      { name: 'Acme', domainNames: ['ACME.example', 'acme.example', '@shop.acme.example'] },
      SYSTEM_ACTOR,
    );
    expect(acme.domainNames).toEqual(['acme.example', 'shop.acme.example']);
    expect((await organizations.organizationForEmail('ann@Shop.Acme.Example'))?.id).toBe(
      acme.organization.id,
    );
    expect(await organizations.organizationForEmail('ann@other.example')).toBeUndefined();
    expect(await organizations.organizationForEmail('no address')).toBeUndefined();
  });

  it('puts a new end-user, but not an agent, in the organization of their email domain', async () => {
    const acme = await organizations.create(
      { name: 'Acme', domainNames: ['acme.example'] },
      SYSTEM_ACTOR,
    );
    const users = app.get(UserService);
    const endUser = await users.createUser({ email: 'Ann@ACME.example', role: 'end-user' });
    const agent = await users.createUser({ email: 'bob@acme.example', role: 'agent' });
    const stranger = await users.createUser({ email: 'cy@other.example', role: 'end-user' });
    expect(endUser.user.organizationId).toBe(acme.organization.id);
    expect(agent.user.organizationId).toBeNull();
    expect(stranger.user.organizationId).toBeNull();
  });

  it('lets an organization keep its own domains on update, but not take another one', async () => {
    const acme = await organizations.create(
      { name: 'Acme', domainNames: ['acme.example'] },
      SYSTEM_ACTOR,
    );
    await organizations.create({ name: 'Beta', domainNames: ['beta.example'] }, SYSTEM_ACTOR);
    const kept = await organizations.update(
      acme.organization.id,
      { domainNames: ['acme.example', 'acme.test'] },
      SYSTEM_ACTOR,
    );
    expect(kept.domainNames).toEqual(['acme.example', 'acme.test']);
    await expect(
      organizations.update(acme.organization.id, { domainNames: ['beta.example'] }, SYSTEM_ACTOR),
    ).rejects.toMatchObject({ code: ErrorCode.Invalid });
    expect((await organizations.show(acme.organization.id)).domainNames).toEqual([
      'acme.example',
      'acme.test',
    ]);
  });

  it('leaves nothing behind when a change is refused', async () => {
    await organizations.create({ name: 'Acme' }, SYSTEM_ACTOR);
    await expect(organizations.create({ name: 'acme' }, SYSTEM_ACTOR)).rejects.toMatchObject({
      code: ErrorCode.Invalid,
    });
    expect(await app.get(DataSource).getRepository(OrganizationEntity).count()).toBe(1);
  });

  describe('personal data', () => {
    it('is answered for by a registered contributor', () => {
      const covered = app
        .get(PrivacyRegistry)
        .contributors()
        .flatMap((c) => c.covers);
      expect(covered).toContain(OrganizationEntity);
    });

    it("exports the notes that mention a subject's address and replaces it on erasure", async () => {
      const acme = await organizations.create(
        { name: 'Acme', notes: 'Escalate to ANN@example.com, not bob@example.com', details: 'HQ' },
        SYSTEM_ACTOR,
      );
      await organizations.create({ name: 'Beta', notes: 'nothing about 100%_ here' }, SYSTEM_ACTOR);
      const contributor = app.get(OrganizationContributor);
      const subject = { emails: ['ann@example.com'] };

      const [part] = await contributor.exportSubject(subject);
      expect(part?.records).toEqual([
        expect.objectContaining({ organizationId: acme.organization.id, organizationName: 'Acme' }),
      ]);
      expect(await contributor.planErasure(subject)).toEqual([
        expect.objectContaining({ action: 'anonymise', count: 1 }),
      ]);
      await contributor.eraseSubject(subject, { label: 'Erased user 7f3a' });
      const after = await organizations.show(acme.organization.id);
      expect(after.organization.notes).toBe('Escalate to Erased user 7f3a, not bob@example.com');
      expect(after.organization.details).toBe('HQ');
      expect((await contributor.exportSubject({ emails: ['100%_'] }))[0]?.records).toHaveLength(1);
      expect((await contributor.exportSubject({ emails: ['%'] }))[0]?.records).toHaveLength(1);
    });
  });
});
