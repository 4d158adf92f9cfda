import { startIdentityTestApp } from './testing/identity-test-app';

import { type INestApplicationContext } from '@nestjs/common';

import { PrivacyRegistry } from '@steward/privacy';
import { truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { IdentityContributor } from './identity.contributor';

import { UserEntity, type UserRole } from './user.entity';
import { UserError } from './user.errors';
import { FIRST_ADMIN_EMAIL, UserService } from './user.service';
import { SignInService } from './sign-in.service';

describe('identity', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let users: UserService;

  beforeAll(async () => {
    ({ app, setup } = await startIdentityTestApp());
    users = app.get(UserService);
  });

  afterEach(async () => truncateAll(app.get(DataSource)));

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  describe('createAdmin', () => {
    it('stores a normalised email and a bcrypt hash, never the password', async () => {
      const { user, oneTimePassword } = await users.createAdmin({
        email: '  Ann@Example.COM ',
        password: 'correct horse battery',
      });
      expect(oneTimePassword).toBeUndefined();
      const row = await app
        .get(DataSource)
        .getRepository(UserEntity)
        .findOneByOrFail({ id: user.id });
      expect(row).toMatchObject({
        email: 'ann@example.com',
        name: 'ann',
        role: 'admin',
        passwordMustChange: false,
      });
      expect(row.passwordHash).toMatch(/^\$2[aby]\$10\$/);
      expect(row.passwordHash).not.toContain('correct horse');
    });

    it('generates a one-time password that must be changed when none is given', async () => {
      const { user, oneTimePassword } = await users.createAdmin({ email: 'bob@example.com' });
      expect(oneTimePassword).toMatch(/^[A-Za-z2-9]{20}$/);
      expect(user.passwordMustChange).toBe(true);
    });

    it('gives an end-user made without a password none at all, so nobody can sign in as them', async () => {
      const { user, oneTimePassword } = await users.createUser({
        email: 'requester@example.com',
        role: 'end-user',
      });
      expect(oneTimePassword).toBeUndefined();
      expect(user).toMatchObject({ passwordHash: null, passwordMustChange: false });
      await expect(
        app.get(SignInService).signIn({
          email: 'requester@example.com',
          password: 'any password at all',
          ip: null,
          userAgent: null,
        }),
      ).rejects.toThrow();
    });

    it.each([
      ['an address without @', { email: 'not-an-address' }, /email/],
      [
        'a password under 12 characters',
        { email: 'c@example.com', password: 'short' },
        /12 to 128/,
      ],
      [
        'a password over 128 characters',
        { email: 'c@example.com', password: 'x'.repeat(129) },
        /12 to 128/,
      ],
      ['a header injection attempt', { email: 'c@example.com\r\nBcc: x@evil.test' }, /email/],
    ])('refuses %s', async (_case, input, message) => {
      await expect(users.createAdmin(input)).rejects.toThrow(message);
      await expect(users.createAdmin(input)).rejects.toBeInstanceOf(UserError);
    });

    it('refuses a second user with the same email, whatever its case', async () => {
      await users.createAdmin({ email: 'dup@example.com' });
      await expect(users.createAdmin({ email: 'DUP@example.com' })).rejects.toThrow(
        /already exists/,
      );
    });
  });

  describe('createUser', () => {
    it.each(['agent', 'end-user'] as const)('creates an %s', async (role) => {
      const { user } = await users.createUser({ email: `${role}@example.com`, role });
      expect(user).toMatchObject({ role, active: true, email: `${role}@example.com` });
    });

    it('refuses a role it does not know', async () => {
      await expect(
        users.createUser({ email: 'x@example.com', role: 'root' as UserRole }),
      ).rejects.toThrow(/role/);
    });
  });

  describe('ensureFirstAdmin', () => {
    it('creates the first administrator once, and only while there is none', async () => {
      const first = await users.ensureFirstAdmin();
      expect(first?.user.email).toBe(FIRST_ADMIN_EMAIL);
      expect(first?.oneTimePassword).toHaveLength(20);
      await expect(users.ensureFirstAdmin()).resolves.toBeUndefined();
    });

    it('creates none when an administrator already exists', async () => {
      await users.createAdmin({ email: 'it@example.com' });
      await expect(users.ensureFirstAdmin()).resolves.toBeUndefined();
    });
  });

  describe('personal data contributor', () => {
    it('is registered with the privacy registry', () => {
      expect(app.get(PrivacyRegistry).contributors()).toContain(app.get(IdentityContributor));
    });

    it('exports the profile of a subject found by email', async () => {
      const { user } = await users.createAdmin({ email: 'erin@example.com', name: 'Erin Example' });
      const [part] = await app
        .get(IdentityContributor)
        .exportSubject({ emails: ['ERIN@example.com'] });
      expect(part).toMatchObject({
        category: 'profile',
        records: [{ id: user.id, email: 'erin@example.com', name: 'Erin Example', role: 'admin' }],
      });
      expect(JSON.stringify(part)).not.toMatch(/\$2[aby]\$/);
    });

    it('plans and performs erasure as a tombstone without identifiers or credentials', async () => {
      const { user } = await users.createAdmin({ email: 'fay@example.com', name: 'Fay Example' });
      const contributor = app.get(IdentityContributor);
      const subject = { userId: String(user.id), emails: ['fay@example.com'] };
      // Other identity categories (sign-in history, ...) are covered by their own tests.
      await expect(contributor.planErasure(subject)).resolves.toEqual(
        expect.arrayContaining([
          expect.objectContaining({ category: 'profile', action: 'anonymise', count: 1 }),
          { category: 'api_tokens', action: 'delete', count: 0 },
        ]),
      );
      await expect(
        contributor.eraseSubject(subject, { label: 'Erased user 7f3a9c1e' }),
      ).resolves.toEqual(
        expect.arrayContaining([
          { category: 'profile', deleted: 0, anonymised: 1 },
          { category: 'api_tokens', deleted: 0, anonymised: 0 },
        ]),
      );
      const row = await app
        .get(DataSource)
        .getRepository(UserEntity)
        .findOneByOrFail({ id: user.id });
      expect(row).toMatchObject({
        email: null,
        name: 'Erased user 7f3a9c1e',
        passwordHash: null,
        active: false,
      });
      expect(row.erasedAt).toBeInstanceOf(Date);
      await expect(contributor.exportSubject({ emails: ['fay@example.com'] })).resolves.toEqual(
        expect.arrayContaining([
          { category: 'profile', schemaVersion: 1, records: [] },
          { category: 'api_tokens', schemaVersion: 1, records: [] },
        ]),
      );
    });
  });
});
