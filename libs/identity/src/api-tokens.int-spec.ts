import { startIdentityTestApp } from './testing/identity-test-app';
import { AuditLog } from '@steward/audit';

import { createHash } from 'node:crypto';
import { type INestApplicationContext } from '@nestjs/common';

import { Clock, ErrorCode } from '@steward/platform';

import { truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokenError } from './api-token.errors';
import { ApiTokenService, TOKEN_CACHE_TTL_MS } from './api-token.service';
import { IdentityContributor } from './identity.contributor';

import { UserEntity, type UserRole } from './user.entity';
import { UserService } from './user.service';

/** A clock the test moves by hand. */
class TestClock extends Clock {
  private current = new Date('2026-11-21T08:00:00.000Z');

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

describe('API tokens', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let tokens: ApiTokenService;
  let users: UserService;
  const clock = new TestClock();

  beforeAll(async () => {
    ({ app, setup } = await startIdentityTestApp({ clock }));
    tokens = app.get(ApiTokenService);
    users = app.get(UserService);
  });

  afterEach(async () => {
    await truncateAll(app.get(DataSource));
    // Let every validated token of the previous test expire from the cache.
    clock.advance(TOKEN_CACHE_TTL_MS + 1);
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  async function user(email: string, role: UserRole = 'admin'): Promise<UserEntity> {
    return (await users.createUser({ email, role, password: 'correct horse battery' })).user;
  }

  function row(id: number): Promise<ApiTokenEntity> {
    return app.get(DataSource).getRepository(ApiTokenEntity).findOneByOrFail({ id });
  }

  describe('audit', () => {
    it('records token creation and revocation, with their actor, in a chain that verifies', async () => {
      const owner = await user('olga@example.com');
      const { id } = await tokens.create(owner.id, 'deploy script');
      await tokens.revoke(id, { actorType: 'user', actorId: owner.id });
      await tokens.revoke(id, { actorType: 'user', actorId: owner.id }); // no change, no entry

      const audit = app.get(AuditLog);
      const { entries } = await audit.query({ targetType: 'api_token', targetId: String(id) });
      expect(entries.map((e) => [e.action, e.actorType, e.actorId])).toEqual([
        ['token.revoked', 'user', String(owner.id)],
        ['token.created', 'system', null],
      ]);
      expect(JSON.stringify(entries)).not.toContain('olga@example.com');
      await expect(audit.verify()).resolves.toMatchObject({ ok: true, checked: 2 });
    });
  });

  describe('create', () => {
    it('returns stw_ and 43 base64url characters, and stores only its SHA-256 and last 4 characters', async () => {
      const ann = await user('ann@example.com');
      const { id, token } = await tokens.create(ann.id, '  CI script  ');
      expect(token).toMatch(/^stw_[A-Za-z0-9_-]{43}$/);
      const stored = await row(id);
      expect(stored).toMatchObject({
        userId: ann.id,
        name: 'CI script',
        tokenHash: createHash('sha256').update(token).digest('hex'),
        hint: token.slice(-4),
        lastUsedAt: null,
        revokedAt: null,
      });
      const raw = await app
        .get(DataSource)
        .query<Record<string, unknown>[]>('SELECT * FROM api_tokens');
      expect(JSON.stringify(raw)).not.toContain(token);
      expect(JSON.stringify(raw)).not.toContain(token.slice(4));
    });

    it('makes a different token every time', async () => {
      const ann = await user('ann@example.com');
      const first = await tokens.create(ann.id, 'one');
      const second = await tokens.create(ann.id, 'two');
      expect(first.token).not.toBe(second.token);
    });

    it.each([
      ['an empty name', '   '],
      ['a name over 100 characters', 'x'.repeat(101)],
      ['a name with a line break', 'evil\r\nname'],
      ['a name with a bidirectional override', 'laptop\u202egnp.exe'],
    ])('refuses %s', async (_case, name) => {
      const ann = await user('ann@example.com');
      const attempt = tokens.create(ann.id, name);
      await expect(attempt).rejects.toBeInstanceOf(ApiTokenError);
      await expect(tokens.create(ann.id, name)).rejects.toMatchObject({
        code: ErrorCode.Invalid,
      });
    });

    it('accepts a name of exactly 100 characters, counting characters not bytes', async () => {
      const ann = await user('ann@example.com');
      const { id } = await tokens.create(ann.id, 'é'.repeat(100));
      expect((await row(id)).name).toBe('é'.repeat(100));
    });

    it('refuses an unknown or inactive user', async () => {
      await expect(tokens.create(999_999, 'x')).rejects.toMatchObject({
        code: ErrorCode.NotFound,
      });
      const gone = await user('gone@example.com');
      await app.get(DataSource).getRepository(UserEntity).update(gone.id, { active: false });
      await expect(tokens.create(gone.id, 'x')).rejects.toMatchObject({
        code: ErrorCode.NotFound,
      });
    });
  });

  describe('authenticate', () => {
    it('returns the active user the token belongs to', async () => {
      const ann = await user('ann@example.com');
      const { token } = await tokens.create(ann.id, 'laptop');
      await expect(tokens.authenticate(token)).resolves.toMatchObject({
        id: ann.id,
        email: 'ann@example.com',
      });
    });

    it('refuses an unknown token of the right shape, and anything of another shape', async () => {
      const ann = await user('ann@example.com');
      const { token } = await tokens.create(ann.id, 'laptop');
      const other = `stw_${'A'.repeat(43)}`;
      await expect(tokens.authenticate(other)).resolves.toBeUndefined();
      await expect(tokens.authenticate(token.slice(0, -1))).resolves.toBeUndefined();
      await expect(tokens.authenticate(`${token} `)).resolves.toBeUndefined();
      await expect(tokens.authenticate('')).resolves.toBeUndefined();
      await expect(tokens.authenticate('x'.repeat(100_000))).resolves.toBeUndefined();
    });

    it('refuses a revoked token at once, even one validated a moment before', async () => {
      const ann = await user('ann@example.com');
      const { id, token } = await tokens.create(ann.id, 'laptop');
      await expect(tokens.authenticate(token)).resolves.toBeDefined();
      await expect(tokens.revoke(id)).resolves.toBe(true);
      await expect(tokens.authenticate(token)).resolves.toBeUndefined();
      expect((await row(id)).revokedAt).toEqual(clock.now());
      await expect(tokens.revoke(id)).resolves.toBe(false);
    });

    it('refuses the token of a deactivated user once the cache has expired', async () => {
      const ann = await user('ann@example.com');
      const { token } = await tokens.create(ann.id, 'laptop');
      await app.get(DataSource).getRepository(UserEntity).update(ann.id, { active: false });
      clock.advance(TOKEN_CACHE_TTL_MS + 1);
      await expect(tokens.authenticate(token)).resolves.toBeUndefined();
    });

    it('refuses, at once, the tokens of a user whose data was erased, and deletes them', async () => {
      const ann = await user('ann@example.com');
      const { token } = await tokens.create(ann.id, 'laptop');
      await expect(tokens.authenticate(token)).resolves.toBeDefined();
      await app
        .get(IdentityContributor)
        .eraseSubject({ emails: ['ann@example.com'] }, { label: 'Erased user 1' });
      await expect(tokens.authenticate(token)).resolves.toBeUndefined();
      await expect(app.get(DataSource).getRepository(ApiTokenEntity).count()).resolves.toBe(0);
    });

    it('deletes the tokens with their user (foreign key, cascade)', async () => {
      const ann = await user('ann@example.com');
      await tokens.create(ann.id, 'laptop');
      await app.get(DataSource).getRepository(UserEntity).delete(ann.id);
      await expect(app.get(DataSource).getRepository(ApiTokenEntity).count()).resolves.toBe(0);
    });
  });

  describe('authenticateBasic (email/token:TOKEN)', () => {
    it("accepts the token with its user's email, in any case", async () => {
      const ann = await user('ann@example.com');
      const { token } = await tokens.create(ann.id, 'laptop');
      await expect(tokens.authenticateBasic(' Ann@Example.com', token)).resolves.toMatchObject({
        id: ann.id,
      });
    });

    it("refuses a valid token with another user's email, or an unknown email", async () => {
      const ann = await user('ann@example.com');
      await user('bob@example.com');
      const { id, token } = await tokens.create(ann.id, 'laptop');
      await expect(tokens.authenticateBasic('bob@example.com', token)).resolves.toBeUndefined();
      await expect(tokens.authenticateBasic('nobody@example.com', token)).resolves.toBeUndefined();
      expect((await row(id)).lastUsedAt).toBeNull();
    });
  });

  describe('last_used_at', () => {
    it('is recorded on first use, then at most once a minute', async () => {
      const ann = await user('ann@example.com');
      const { id, token } = await tokens.create(ann.id, 'laptop');
      const first = clock.now();
      await tokens.authenticate(token);
      expect((await row(id)).lastUsedAt).toEqual(first);

      clock.advance(30_000);
      await tokens.authenticate(token);
      expect((await row(id)).lastUsedAt).toEqual(first);

      clock.advance(31_000);
      const later = clock.now();
      await tokens.authenticateBasic('ann@example.com', token);
      expect((await row(id)).lastUsedAt).toEqual(later);
    });

    it('is written once when many requests arrive together', async () => {
      const ann = await user('ann@example.com');
      const { id, token } = await tokens.create(ann.id, 'laptop');
      const results = await Promise.all(
        Array.from({ length: 16 }, () => tokens.authenticate(token)),
      );
      expect(results.every((u) => u?.id === ann.id)).toBe(true);
      expect((await row(id)).lastUsedAt).toEqual(clock.now());
    });
  });

  describe('list', () => {
    it("lists a user's tokens with name, hint and dates, never the token or its hash", async () => {
      const ann = await user('ann@example.com');
      const bob = await user('bob@example.com', 'agent');
      const a = await tokens.create(ann.id, 'laptop');
      const b = await tokens.create(ann.id, 'ci');
      await tokens.create(bob.id, 'bob');
      await tokens.revoke(b.id);
      const listed = await tokens.list(ann.id);
      expect(listed).toEqual([
        {
          id: a.id,
          userId: ann.id,
          name: 'laptop',
          hint: a.token.slice(-4),
          createdAt: clock.now(),
          lastUsedAt: null,
          revokedAt: null,
        },
        expect.objectContaining({ id: b.id, name: 'ci', revokedAt: clock.now() }),
      ]);
      const text = JSON.stringify(listed);
      expect(text).not.toContain(a.token);
      expect(text).not.toContain((await row(a.id)).tokenHash);
    });
  });

  describe('personal data contributor', () => {
    it("exports the subject's tokens without the token or its hash", async () => {
      const ann = await user('ann@example.com');
      const created = await tokens.create(ann.id, 'laptop');
      const parts = await app
        .get(IdentityContributor)
        .exportSubject({ emails: ['ann@example.com'] });
      expect(parts.find((p) => p.category === 'api_tokens')).toEqual({
        category: 'api_tokens',
        schemaVersion: 1,
        records: [
          {
            id: created.id,
            userId: ann.id,
            name: 'laptop',
            hint: created.token.slice(-4),
            createdAt: clock.now().toISOString(),
            lastUsedAt: null,
            revokedAt: null,
          },
        ],
      });
      const text = JSON.stringify(parts);
      expect(text).not.toContain(created.token);
      expect(text).not.toContain((await row(created.id)).tokenHash);
    });

    it('plans and reports the deletion of the tokens', async () => {
      const ann = await user('ann@example.com');
      await tokens.create(ann.id, 'one');
      await tokens.create(ann.id, 'two');
      const contributor = app.get(IdentityContributor);
      const subject = { userId: String(ann.id), emails: [] };
      await expect(contributor.planErasure(subject)).resolves.toContainEqual({
        category: 'api_tokens',
        action: 'delete',
        count: 2,
      });
      await expect(
        contributor.eraseSubject(subject, { label: 'Erased user 2' }),
      ).resolves.toContainEqual({ category: 'api_tokens', deleted: 2, anonymised: 0 });
    });
  });
});
