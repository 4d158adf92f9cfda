import { startIdentityTestApp } from './testing/identity-test-app';

import { type INestApplicationContext } from '@nestjs/common';

import { truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR } from './api-token.service';
import { IdentityContributor } from './identity.contributor';

import { CreateUserIdentities1764100000000 } from './migrations/1764100000000-create-user-identities';
import type { UserEntity } from './user.entity';
import { UserIdentityService, type UserActor } from './user-identity.service';
import { UserService } from './user.service';

interface IdentityRow {
  user_id: number;
  value: string;
  primary: number | boolean;
  verified: number | boolean;
}

describe('user identities', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let system: UserActor;

  beforeAll(async () => {
    ({ app, setup } = await startIdentityTestApp());
  });

  beforeEach(async () => {
    await truncateAll(app.get(DataSource));
    const { user } = await app
      .get(UserService)
      .createUser({ email: 'root@example.com', role: 'admin' });
    system = { user, audit: SYSTEM_ACTOR };
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  async function user(email: string): Promise<UserEntity> {
    return (await app.get(UserService).createUser({ email, role: 'end-user' })).user;
  }

  async function rows(): Promise<IdentityRow[]> {
    const ds = app.get(DataSource);
    const q = (name: string) => ds.driver.escape(name);
    return ds.query<IdentityRow[]>(
      `SELECT ${q('user_id')}, ${q('value')}, ${q('primary')}, ${q('verified')} FROM ${q('user_identities')} ORDER BY ${q('user_id')}`,
    );
  }

  it('the migration backfills one verified primary identity per user with an email', async () => {
    const ann = await user('ann@example.com');
    const gone = await user('gone@example.com');
    const ds = app.get(DataSource);
    const runner = ds.createQueryRunner();
    try {
      const migration = new CreateUserIdentities1764100000000();
      await migration.down(runner);
      await runner.query(`UPDATE ${ds.driver.escape('users')} SET email = NULL WHERE id = ?`, [
        gone.id,
      ]);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    const backfilled = (await rows()).map((row) => ({
      userId: Number(row.user_id),
      value: row.value,
      primary: Boolean(Number(row.primary)),
      verified: Boolean(Number(row.verified)),
    }));
    expect(backfilled).toEqual([
      { userId: system.user.id, value: 'root@example.com', primary: true, verified: true },
      { userId: ann.id, value: 'ann@example.com', primary: true, verified: true },
    ]);
  });

  it('keeps one primary identity per user, mirrored in users.email', async () => {
    const ann = await user('ann@example.com');
    const identities = app.get(UserIdentityService);
    const second = await identities.create(ann.id, { value: 'ann.two@example.com' }, system);
    await identities.makePrimary(ann.id, second.id, system);
    const list = await identities.list(ann.id);
    expect(list.filter((identity) => identity.primary).map((i) => i.value)).toEqual([
      'ann.two@example.com',
    ]);
    expect((await app.get(UserService).findById(ann.id))?.email).toBe('ann.two@example.com');
  });

  it('exports every identity of the subject, found by a secondary address too, and erases them', async () => {
    const ann = await user('ann@example.com');
    await app.get(UserIdentityService).create(ann.id, { value: 'ann.home@example.com' }, system);
    const contributor = app.get(IdentityContributor);
    const parts = await contributor.exportSubject({ emails: ['ANN.HOME@example.com'] });
    const part = parts.find((p) => p.category === 'user_identities');
    expect(part?.records.map((r) => (r as { value: string }).value)).toEqual([
      'ann@example.com',
      'ann.home@example.com',
    ]);
    const results = await contributor.eraseSubject(
      { emails: ['ann@example.com'] },
      { label: 'Erased user 1' },
    );
    expect(results).toContainEqual({ category: 'user_identities', deleted: 2, anonymised: 0 });
    expect((await rows()).map((row) => row.value)).toEqual(['root@example.com']);
  });
});
