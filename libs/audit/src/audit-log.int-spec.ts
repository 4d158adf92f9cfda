import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Database, PersistenceModule } from '@steward/persistence';
import { Clock, createLogger, PlatformModule } from '@steward/platform';
import { createTestSetup, LogCapture, truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { AuditChainHeadEntity } from './audit-chain-head.entity';
import { AuditEntryEntity } from './audit-entry.entity';
import { entryHash, GENESIS_HASH } from './audit-hash';
import { AuditLog, type AuditQuery, type RecordAuditEntry } from './audit-log.service';
import { AuditError } from './audit.errors';
import { AuditModule } from './audit.module';
import { auditEntities, auditMigrations } from './index';

/** A clock the test moves: every entry gets a known time. */
class TestClock extends Clock {
  private time = Date.parse('2026-11-21T08:00:00.123Z');

  now(): Date {
    return new Date(this.time);
  }

  advance(ms: number): void {
    this.time += ms;
  }
}

const signIn = (userId: number, extra: Partial<RecordAuditEntry> = {}): RecordAuditEntry => ({
  actorType: 'user',
  actorId: userId,
  action: 'auth.sign_in.succeeded',
  targetType: 'user',
  targetId: userId,
  ip: '198.51.100.7',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
  ...extra,
});

describe('audit log', () => {
  const clock = new TestClock();
  let setup: TestSetup;
  let app: INestApplicationContext;
  let audit: AuditLog;
  let dataSource: DataSource;

  beforeAll(async () => {
    setup = await createTestSetup();
    @Module({
      imports: [
        PlatformModule.forRoot({
          config: setup.config,
          secrets: setup.secrets,
          logger: createLogger('warn', new LogCapture()),
          clock,
        }),
        PersistenceModule.forRoot({ entities: auditEntities, migrations: auditMigrations }),
        AuditModule,
      ],
    })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { logger: false });
    audit = app.get(AuditLog);
    dataSource = app.get(DataSource);
  });

  afterEach(async () => truncateAll(dataSource));

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  /** Records `count` sign-ins of users 1, 2, 3 … one after the other, a second apart. */
  async function recordSignIns(count: number): Promise<void> {
    for (let i = 1; i <= count; i++) {
      await audit.record(signIn(i));
      clock.advance(1000);
    }
  }

  function rows(): Promise<AuditEntryEntity[]> {
    return dataSource.getRepository(AuditEntryEntity).find({ order: { id: 'ASC' } });
  }

  describe('record', () => {
    it('chains each entry to the one before, from the genesis hash, with the time of the clock', async () => {
      const first = await audit.append(signIn(1));
      clock.advance(5);
      await audit.record(signIn(2));
      await audit.record({ actorType: 'system', action: 'keys.rotated' });
      const [a, b, c] = await rows();
      expect([a?.id, b?.id, c?.id]).toEqual([1, 2, 3]);
      expect(a?.prevHash).toBe(GENESIS_HASH);
      expect(b?.prevHash).toBe(a?.hash);
      expect(c?.prevHash).toBe(b?.hash);
      expect(first.hash).toBe(a?.hash);
      expect(b?.occurredAt.getTime()).toBe(first.occurredAt.getTime() + 5);
      expect(a?.occurredAt.toISOString()).toMatch(/\.\d{3}Z$/);
      expect(a).toMatchObject({
        actorType: 'user',
        actorId: '1',
        targetId: '1',
        ip: '198.51.100.7',
      });
      await expect(dataSource.getRepository(AuditChainHeadEntity).find()).resolves.toEqual([
        { id: 1, lastId: 3, lastHash: c?.hash },
      ]);
    });

    it('replaces the values of password, token, secret and key entries in details', async () => {
      const secrets = ['hunter2-correct-horse', 'tok_9f8e7d6c5b4a', 's3cr3t-value', 'ak-123-456'];
      const entry = await audit.append({
        actorType: 'user',
        actorId: 1,
        action: 'token.created',
        targetType: 'api_token',
        targetId: 9,
        details: {
          password: secrets[0],
          token: secrets[1],
          integration: { clientSecret: secrets[2], apiKey: secrets[3], scope: 'tickets:read' },
          role: 'agent',
        },
      });
      expect(entry.details).toEqual({
        password: '[redacted]',
        token: '[redacted]',
        integration: { clientSecret: '[redacted]', apiKey: '[redacted]', scope: 'tickets:read' },
        role: 'agent',
      });
      const [row] = await rows();
      for (const secret of secrets) expect(row?.details).not.toContain(secret);
    });

    it('replaces details larger than 8 KB by a note of their size', async () => {
      const entry = await audit.append({
        actorType: 'system',
        action: 'settings.changed',
        details: { note: 'x'.repeat(9000) },
      });
      expect(entry.details).toEqual({
        truncated: 'details of 9011 bytes exceeded the limit of 8192',
      });
    });

    it('cuts the user agent to 512 characters and replaces control characters', async () => {
      const entry = await audit.append(
        signIn(1, { userAgent: `Evil\r\nX-Injected: 1\u001b[31m${'a'.repeat(600)}` }),
      );
      expect(entry.userAgent).toHaveLength(512);
      expect(entry.userAgent).toMatch(/^Evil\uFFFD\uFFFDX-Injected: 1\uFFFD\[31ma+$/);
      const [row] = await rows();
      expect(row?.userAgent).toBe(entry.userAgent);
    });

    it.each([
      ['an email address as actor id', { actorId: 'ann@example.com' }, /actor_id/],
      ['a user actor without an id', { actorId: null }, /actor_id is required/],
      ['an action that is not dotted lower case', { action: 'SignIn' }, /action/],
      ['an ip that is not an IP address', { ip: '198.51.100.7\r\nX: y' }, /ip is not/],
      ['a target id without a target type', { targetType: null }, /target_type is required/],
    ])('refuses %s', async (_case, change, message) => {
      const attempt = audit.record(signIn(1, change));
      await expect(attempt).rejects.toBeInstanceOf(AuditError);
      await expect(audit.record(signIn(1, change))).rejects.toThrow(message);
      await expect(rows()).resolves.toEqual([]);
    });

    it('writes the entries of a transaction when it commits, and none when it rolls back', async () => {
      const db = app.get(Database);
      await db.transaction(async () => {
        await audit.record(signIn(1));
        await audit.record(signIn(2));
        // Still waiting for the commit: the chain is untouched so far.
        await expect(rows()).resolves.toEqual([]);
      });
      await expect(rows()).resolves.toHaveLength(2);
      await expect(
        db.transaction(async () => {
          await audit.record(signIn(3));
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await expect(rows()).resolves.toHaveLength(2);
      await expect(audit.verify()).resolves.toMatchObject({ ok: true, checked: 2 });
    });

    it('keeps the chain linear when 200 entries are recorded at the same moment', async () => {
      const recorded = await Promise.all(
        Array.from({ length: 200 }, (_, i) => audit.append(signIn(i + 1))),
      );
      expect(recorded.map((e) => e.id).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      await expect(audit.verify()).resolves.toMatchObject({ ok: true, checked: 200 });
    });
  });

  describe('verify', () => {
    it('finds an empty log intact', async () => {
      await expect(audit.verify()).resolves.toEqual({ ok: true, checked: 0 });
    });

    it('finds an untouched chain intact and names its last entry', async () => {
      await recordSignIns(5);
      const last = (await rows())[4];
      await expect(audit.verify()).resolves.toEqual({
        ok: true,
        checked: 5,
        last: { id: 5, hash: last?.hash },
      });
    });

    it.each([
      ['details', 'UPDATE audit_entries SET details = \'{"role":"admin"}\' WHERE id = 3'],
      ['action', "UPDATE audit_entries SET action = 'auth.sign_in.failed' WHERE id = 3"],
      ['actor', "UPDATE audit_entries SET actor_id = '99' WHERE id = 3"],
      ['ip address', "UPDATE audit_entries SET ip = '192.0.2.1' WHERE id = 3"],
      ['user agent', "UPDATE audit_entries SET user_agent = 'curl/8.0' WHERE id = 3"],
    ])('reports an entry whose %s was edited as a hash mismatch', async (_field, sql) => {
      await recordSignIns(5);
      await dataSource.query(sql);
      await expect(audit.verify()).resolves.toEqual({
        ok: false,
        checked: 2,
        firstProblem: { id: 3, problem: 'hash mismatch' },
      });
    });

    it('reports a removed entry in the middle as missing entries from its id', async () => {
      await recordSignIns(5);
      await dataSource.query('DELETE FROM audit_entries WHERE id = 3');
      await expect(audit.verify()).resolves.toEqual({
        ok: false,
        checked: 2,
        firstProblem: { id: 3, problem: 'missing entries' },
      });
    });

    it('reports a removed last entry as missing entries, from the chain head', async () => {
      await recordSignIns(5);
      await dataSource.query('DELETE FROM audit_entries WHERE id = 5');
      await expect(audit.verify()).resolves.toEqual({
        ok: false,
        checked: 4,
        firstProblem: { id: 5, problem: 'missing entries' },
      });
    });

    it('reports the next entry as a broken link when an entry was rewritten with a fresh hash', async () => {
      await recordSignIns(5);
      await forge(3, { action: 'auth.sign_in.failed' });
      await expect(audit.verify()).resolves.toEqual({
        ok: false,
        checked: 3,
        firstProblem: { id: 4, problem: 'broken link' },
      });
    });

    it('reports the last entry as a broken link when it was rewritten with a fresh hash', async () => {
      await recordSignIns(5);
      await forge(5, { action: 'auth.sign_in.failed' });
      await expect(audit.verify()).resolves.toEqual({
        ok: false,
        checked: 4,
        firstProblem: { id: 5, problem: 'broken link' },
      });
    });

    it('reports an entry added behind the chain head as a broken link', async () => {
      await recordSignIns(5);
      const last = (await rows())[4];
      const slipped = Object.assign(new AuditEntryEntity(), {
        ...last,
        id: 6,
        action: 'break_glass.accessed',
        prevHash: last.hash,
      });
      slipped.hash = entryHash(slipped);
      await dataSource.getRepository(AuditEntryEntity).insert(slipped);
      await expect(audit.verify()).resolves.toEqual({
        ok: false,
        checked: 5,
        firstProblem: { id: 6, problem: 'broken link' },
      });
    });

    it('reports a removed chain head; the next entry puts it back at the last entry', async () => {
      await recordSignIns(3);
      await dataSource.query('DELETE FROM audit_chain_head');
      await expect(audit.verify()).resolves.toEqual({
        ok: false,
        checked: 3,
        firstProblem: { id: 3, problem: 'missing chain head' },
      });
      await expect(audit.append(signIn(4))).resolves.toMatchObject({ id: 4 });
      await expect(audit.verify()).resolves.toMatchObject({ ok: true, checked: 4 });
    });

    it('walks the chain in batches and finds a problem on a batch boundary', async () => {
      await recordSignIns(20);
      await expect(audit.verify(7)).resolves.toMatchObject({ ok: true, checked: 20 });
      await dataSource.query("UPDATE audit_entries SET target_id = '1' WHERE id = 14");
      await expect(audit.verify(7)).resolves.toEqual({
        ok: false,
        checked: 13,
        firstProblem: { id: 14, problem: 'hash mismatch' },
      });
    });

    /** Rewrites an entry as someone with write access to the database could, hash and all. */
    async function forge(id: number, change: Partial<AuditEntryEntity>): Promise<void> {
      const repository = dataSource.getRepository(AuditEntryEntity);
      const row = Object.assign(await repository.findOneByOrFail({ id }), change);
      await repository.update(id, { ...change, hash: entryHash(row) });
    }
  });

  describe('network data erasure', () => {
    it("removes ip and user agent of the user's own entries only, and the chain stays intact", async () => {
      await audit.record(signIn(7));
      await audit.record(signIn(8, { action: 'role.changed', targetId: 7 }));
      await audit.record(signIn(7, { action: 'token.created', targetType: 'api_token' }));
      await expect(audit.countNetworkDataOfUser('7')).resolves.toBe(2);
      await expect(audit.eraseNetworkDataOfUser('7')).resolves.toBe(2);
      const [a, b, c] = await rows();
      expect(a).toMatchObject({ ip: null, userAgent: null, networkSalt: null });
      expect(c).toMatchObject({ ip: null, userAgent: null, networkSalt: null });
      expect(b).toMatchObject({ actorId: '8', ip: '198.51.100.7' });
      expect(a?.networkDigest).toMatch(/^[0-9a-f]{64}$/);
      await expect(audit.countNetworkDataOfUser('7')).resolves.toBe(0);
      await expect(audit.verify()).resolves.toMatchObject({ ok: true, checked: 3 });
    });

    it('finds the entries a user acted in or was the target of, and counts them', async () => {
      await audit.record(signIn(7));
      await audit.record(signIn(8, { action: 'role.changed', targetId: 7 }));
      await audit.record(signIn(8));
      await audit.record({ actorType: 'api_token', actorId: 7, action: 'token.revoked' });
      const entries = await audit.entriesForUser('7');
      expect(entries.map((e) => e.id)).toEqual([1, 2]);
      await expect(audit.countForUser('7')).resolves.toBe(2);
    });
  });

  describe('query', () => {
    async function seed(): Promise<void> {
      const entries: RecordAuditEntry[] = [
        signIn(1), // 1 at 08:00:00
        signIn(2), // 2 at 08:00:10
        signIn(1, { action: 'auth.sign_in.failed', ip: '192.0.2.5' }), // 3
        { actorType: 'user', actorId: 1, action: 'role.changed', targetType: 'user', targetId: 2 }, // 4
        { actorType: 'system', action: 'keys.rotated' }, // 5
        {
          actorType: 'api_token',
          actorId: 'tok1',
          action: 'group.membership.added',
          targetType: 'group',
          targetId: 3,
        }, // 6
      ];
      for (const entry of entries) {
        await audit.record(entry);
        clock.advance(10_000);
      }
    }

    async function ids(query: AuditQuery): Promise<number[]> {
      return (await audit.query(query)).entries.map((e) => e.id);
    }

    it.each<[string, AuditQuery, number[]]>([
      ['no filter, newest first', {}, [6, 5, 4, 3, 2, 1]],
      ['actor', { actorType: 'user', actorId: '1' }, [4, 3, 1]],
      ['actor type', { actorType: 'api_token' }, [6]],
      ['action', { action: 'auth.sign_in.succeeded' }, [2, 1]],
      ['target', { targetType: 'user', targetId: '2' }, [4, 2]],
      ['target type', { targetType: 'group' }, [6]],
      ['actor and action', { actorId: '1', action: 'auth.sign_in.failed' }, [3]],
    ])('filters by %s', async (_case, query, expected) => {
      await seed();
      await expect(ids(query)).resolves.toEqual(expected);
    });

    it('filters by time, from inclusive and to exclusive', async () => {
      await seed();
      const [second, , , fifth] = (await audit.query({})).entries.slice().reverse().slice(1);
      await expect(ids({ from: second?.occurredAt, to: fifth?.occurredAt })).resolves.toEqual([
        4, 3, 2,
      ]);
    });

    it('pages through every entry newest first, without duplicates or gaps', async () => {
      await recordSignIns(250);
      const seen: number[] = [];
      const sizes: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await audit.query({ cursor });
        sizes.push(page.entries.length);
        seen.push(...page.entries.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(sizes).toEqual([100, 100, 50]);
      expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => 250 - i));
    });

    it('pages through a filtered selection with a small limit', async () => {
      for (let i = 1; i <= 23; i++) {
        await audit.record(signIn(i % 2 === 0 ? 2 : 1));
      }
      const seen: number[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await audit.query({ actorId: '1', limit: 5, cursor });
        seen.push(...page.entries.map((e) => e.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1]);
    });

    it('gives no next cursor when the page holds the last entry exactly', async () => {
      await recordSignIns(5);
      await expect(audit.query({ limit: 5 })).resolves.not.toHaveProperty('nextCursor');
    });

    it.each<[string, AuditQuery, RegExp]>([
      ['a limit of 0', { limit: 0 }, /limit must be an integer from 1 to 100/],
      ['a limit of 101', { limit: 101 }, /limit/],
      ['a fractional limit', { limit: 2.5 }, /limit/],
      ['a cursor it did not make', { cursor: 'bm90LWEtY3Vyc29y' }, /cursor is not a cursor/],
      ['an invalid time', { from: new Date('yesterday-ish') }, /from is not a valid time/],
    ])('refuses %s', async (_case, query, message) => {
      await expect(audit.query(query)).rejects.toThrow(message);
      await expect(audit.query(query)).rejects.toBeInstanceOf(AuditError);
    });
  });
});
