import type { INestApplicationContext } from '@nestjs/common';
import { AuditEntryEntity } from '@steward/audit';
import { AuditLog } from '@steward/audit';
import { Database } from '@steward/persistence';
import {
  Clock,
  ConfigError,
  Keyring,
  loadConfig,
  STEWARD_CONFIG,
  type StewardConfig,
  type TwoFactorRequirement,
} from '@steward/platform';
import { truncateAll, type TestSetup } from '@steward/testing';
import { generate } from 'otplib';
import { DataSource } from 'typeorm';
import { IdentityContributor } from './identity.contributor';
import { SessionService } from './session.service';
import { SignInService } from './sign-in.service';
import { startIdentityTestApp } from './testing/identity-test-app';
import { TwoFactorCredentialEntity } from './two-factor-credential.entity';
import { TwoFactorRecoveryCodeEntity } from './two-factor-recovery-code.entity';
import { openTotpSecret } from './two-factor-secret';
import { TwoFactorRepository } from './two-factor.repository';
import { type TwoFactorActor, TwoFactorService } from './two-factor.service';
import { UserRepository } from './user.repository';
import type { UserEntity, UserRole } from './user.entity';
import { UserService } from './user.service';

class TestClock extends Clock {
  private current = new Date('2026-11-21T08:00:10.000Z');

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

const PASSWORD = 'correct horse battery';
const CONTEXT = { ip: '192.0.2.7', userAgent: 'Firefox/140' };
const STEP_MS = 30_000;

function details(entry: AuditEntryEntity): unknown {
  return entry.details === null ? null : (JSON.parse(entry.details) as unknown);
}

describe('two-factor authentication (TOTP and recovery codes)', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  const clock = new TestClock();
  let counter = 0;

  beforeAll(async () => {
    ({ app, setup } = await startIdentityTestApp({ clock }));
  });

  afterEach(async () => {
    await truncateAll(app.get(DataSource));
    clock.advance(24 * 3_600_000);
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  const service = (): TwoFactorService => app.get(TwoFactorService);

  async function user(role: UserRole = 'agent'): Promise<UserEntity> {
    counter += 1;
    const { user: created } = await app
      .get(UserService)
      .createUser({ email: `person${counter}@example.com`, role, password: PASSWORD });
    return created;
  }

  function actor(of: Pick<UserEntity, 'id'>): TwoFactorActor {
    return { user: of, context: CONTEXT };
  }

  /** The code an authenticator shows now, `steps` time steps away. */
  function codeAt(secret: string, steps = 0): Promise<string> {
    return generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) + steps * 30 });
  }

  /** A user with two-factor enabled, its secret and recovery codes. */
  async function enrolled(role: UserRole = 'agent') {
    const created = await user(role);
    const { secret } = await service().start(actor(created), created);
    const { recoveryCodes } = await service().confirm(actor(created), await codeAt(secret));
    // The next code is of a later time step: the confirming one is used up.
    clock.advance(STEP_MS);
    return { user: created, secret, recoveryCodes };
  }

  it('stores the secret encrypted with the keyring, bound to its user', async () => {
    const created = await user();
    const { secret, uri } = await service().start(actor(created), created);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Steward%20\(localhost\):person\d+%40example\.com\?/);
    expect(uri).toContain(`secret=${secret}`);
    const rows: Record<string, unknown>[] = await app
      .get(DataSource)
      .query('SELECT * FROM two_factor_credentials');
    expect(rows).toHaveLength(1);
    const raw = JSON.stringify(rows);
    expect(raw).not.toContain(secret);
    expect(raw).not.toContain(Buffer.from(secret).toString('base64'));
    const row = await app
      .get(DataSource)
      .getRepository(TwoFactorCredentialEntity)
      .findOneByOrFail({ userId: created.id });
    const keyring = app.get(Keyring);
    expect(row.kekId).toBe(keyring.currentId);
    const sealed = { kekId: row.kekId, ciphertext: row.secretCiphertext };
    expect(openTotpSecret(keyring, created.id, sealed)).toBe(secret);
    expect(openTotpSecret(keyring, created.id + 1, sealed)).toBeUndefined();
    await expect(service().status(created.id)).resolves.toEqual({
      enabled: false,
      enabledAt: null,
      pending: true,
      recoveryCodesLeft: 0,
    });
  });

  it('enables two-factor with a first code and answers ten recovery codes, stored hashed', async () => {
    const created = await user();
    const { secret } = await service().start(actor(created), created);
    await expect(service().confirm(actor(created), '000000')).rejects.toThrow(/not correct/);
    const { recoveryCodes } = await service().confirm(actor(created), await codeAt(secret));
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-f]{5}(-[0-9a-f]{5}){3}$/);
    const stored = await app.get(DataSource).getRepository(TwoFactorRecoveryCodeEntity).find();
    const text = JSON.stringify(stored);
    for (const code of recoveryCodes) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(code.replace(/-/g, ''));
    }
    await expect(service().status(created.id)).resolves.toEqual({
      enabled: true,
      enabledAt: clock.now(),
      pending: false,
      recoveryCodesLeft: 10,
    });
    await expect(service().start(actor(created), created)).rejects.toThrow(/already enabled/);
    const actions = await app
      .get(DataSource)
      .getRepository(AuditEntryEntity)
      .find({ where: { targetId: String(created.id) }, order: { id: 'ASC' } });
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['auth.two_factor.enrolment_started', 'auth.two_factor.enabled']),
    );
    expect(JSON.stringify(actions)).not.toContain(secret);
  });

  it('accepts the code of this time step and of the steps either side, no further', async () => {
    const { user: created, secret } = await enrolled();
    // Past the step the enrolment used, so that the previous step is still unused.
    clock.advance(2 * STEP_MS);
    for (const steps of [-2, 2]) {
      await expect(service().verify(created.id, await codeAt(secret, steps))).resolves.toBe(
        undefined,
      );
    }
    await expect(service().verify(created.id, await codeAt(secret, -1))).resolves.toBe('totp');
    await expect(service().verify(created.id, await codeAt(secret, 0))).resolves.toBe('totp');
    await expect(service().verify(created.id, await codeAt(secret, 1))).resolves.toBe('totp');
    await expect(service().verify(created.id, 'abcdef')).resolves.toBeUndefined();
  });

  it('never accepts a code twice, nor one of an earlier step than the last accepted', async () => {
    const { user: created, secret } = await enrolled();
    const now = await codeAt(secret);
    await expect(service().verify(created.id, now)).resolves.toBe('totp');
    await expect(service().verify(created.id, now)).resolves.toBeUndefined();
    await expect(service().verify(created.id, await codeAt(secret, -1))).resolves.toBeUndefined();
    clock.advance(STEP_MS);
    await expect(service().verify(created.id, await codeAt(secret))).resolves.toBe('totp');
  });

  it('refuses the confirming code again right after enrolment (replay)', async () => {
    const created = await user();
    const { secret } = await service().start(actor(created), created);
    const code = await codeAt(secret);
    await service().confirm(actor(created), code);
    await expect(service().verify(created.id, code)).resolves.toBeUndefined();
  });

  it('uses each recovery code once, in any spelling, and regeneration ends the old ones', async () => {
    const { user: created, recoveryCodes } = await enrolled();
    const [first = '', second = ''] = recoveryCodes;
    await expect(service().verify(created.id, ` ${first.toUpperCase()} `)).resolves.toBe(
      'recovery_code',
    );
    await expect(service().verify(created.id, first)).resolves.toBeUndefined();
    await expect(service().status(created.id)).resolves.toMatchObject({ recoveryCodesLeft: 9 });
    const renewed = await service().regenerateRecoveryCodes(actor(created));
    await expect(service().verify(created.id, second)).resolves.toBeUndefined();
    await expect(service().verify(created.id, renewed[0] ?? '')).resolves.toBe('recovery_code');
    await expect(service().status(created.id)).resolves.toMatchObject({ recoveryCodesLeft: 9 });
  });

  it('does not let another user use a recovery code', async () => {
    const { recoveryCodes } = await enrolled();
    const other = await enrolled();
    await expect(service().verify(other.user.id, recoveryCodes[0] ?? '')).resolves.toBeUndefined();
  });

  it('opens a session that owes the code, and the code rotates it into a full one', async () => {
    const { user: created, secret } = await enrolled();
    const signIns = app.get(SignInService);
    const sessions = app.get(SessionService);
    const email = created.email ?? '';
    const pending = await signIns.signIn({ email, password: PASSWORD, ...CONTEXT });
    expect(pending.pendingStep).toBe('two_factor');
    const active = await sessions.authenticate(pending.token);
    expect(active).toMatchObject({ pendingStep: 'two_factor', authenticatedAt: null });
    if (!active) throw new Error('no session');
    expect(sessions.isRecentlyAuthenticated(active)).toBe(false);
    await expect(signIns.completeTwoFactor(active, '123456', CONTEXT)).rejects.toThrow(
      /not correct/,
    );
    const full = await signIns.completeTwoFactor(active, await codeAt(secret), CONTEXT);
    expect(full.token).not.toBe(pending.token);
    expect(full.csrfToken).not.toBe(pending.csrfToken);
    expect(full.pendingStep).toBeNull();
    await expect(sessions.authenticate(pending.token)).resolves.toBeUndefined();
    const rotated = await sessions.authenticate(full.token);
    expect(rotated).toMatchObject({ pendingStep: null, authenticatedAt: clock.now() });
    if (!rotated) throw new Error('no session');
    expect(sessions.isRecentlyAuthenticated(rotated)).toBe(true);
    const audit = await app
      .get(DataSource)
      .getRepository(AuditEntryEntity)
      .find({ where: { targetId: String(created.id) }, order: { id: 'ASC' } });
    expect(audit.map((a) => [a.action, details(a)])).toEqual(
      expect.arrayContaining([
        ['auth.sign_in.succeeded', { pending_step: 'two_factor' }],
        ['auth.two_factor.failed', null],
        ['auth.two_factor.succeeded', { method: 'totp' }],
      ]),
    );
  });

  it('makes an admin without two-factor enrol first (policy: admins), not an agent', async () => {
    const admin = await user('admin');
    const agent = await user('agent');
    const signIns = app.get(SignInService);
    const forAdmin = await signIns.signIn({
      email: admin.email ?? '',
      password: PASSWORD,
      ...CONTEXT,
    });
    const forAgent = await signIns.signIn({
      email: agent.email ?? '',
      password: PASSWORD,
      ...CONTEXT,
    });
    expect([forAdmin.pendingStep, forAgent.pendingStep]).toEqual(['two_factor_enrolment', null]);
    const session = await app.get(SessionService).authenticate(forAdmin.token);
    if (!session) throw new Error('no session');
    const { secret } = await service().start({ ...actor(admin), session }, admin);
    const confirmed = await service().confirm({ ...actor(admin), session }, await codeAt(secret));
    expect(confirmed.session?.pendingStep).toBeNull();
    await expect(app.get(SessionService).authenticate(forAdmin.token)).resolves.toBeUndefined();
    await expect(
      app.get(SessionService).authenticate(confirmed.session?.token ?? ''),
    ).resolves.toMatchObject({ pendingStep: null });
  });

  it('counts re-authentication as recent for the window only', async () => {
    const { user: created, secret } = await enrolled();
    const signIns = app.get(SignInService);
    const sessions = app.get(SessionService);
    const pending = await signIns.signIn({
      email: created.email ?? '',
      password: PASSWORD,
      ...CONTEXT,
    });
    const first = await sessions.authenticate(pending.token);
    if (!first) throw new Error('no session');
    const opened = await signIns.completeTwoFactor(first, await codeAt(secret), CONTEXT);
    clock.advance(10 * 60_000);
    const stale = await sessions.authenticate(opened.token);
    if (!stale) throw new Error('no session');
    expect(sessions.isRecentlyAuthenticated(stale)).toBe(false);
    await expect(signIns.reauthenticate(stale, PASSWORD, undefined, CONTEXT)).rejects.toThrow(
      /code is required/,
    );
    await expect(
      signIns.reauthenticate(stale, 'not the password', await codeAt(secret), CONTEXT),
    ).rejects.toThrow(/not correct/);
    await signIns.reauthenticate(stale, PASSWORD, await codeAt(secret), CONTEXT);
    const fresh = await sessions.authenticate(opened.token);
    if (!fresh) throw new Error('no session');
    expect(sessions.isRecentlyAuthenticated(fresh)).toBe(true);
  });

  it('requires two-factor of admins, of every agent role, or of nobody, as configured', () => {
    const config = app.get<StewardConfig>(STEWARD_CONFIG);
    const withPolicy = (requiredFor: TwoFactorRequirement) =>
      new TwoFactorService(
        app.get(TwoFactorRepository),
        app.get(UserRepository),
        app.get(SessionService),
        app.get(AuditLog),
        app.get(Database),
        app.get(Keyring),
        clock,
        { ...config, twoFactor: { ...config.twoFactor, requiredFor } },
      );
    const roles: UserRole[] = ['admin', 'agent', 'light-agent', 'end-user'];
    const required = (policy: TwoFactorRequirement) =>
      roles.filter((role) => withPolicy(policy).isRequiredFor({ role }));
    expect(config.twoFactor.requiredFor).toBe('admins');
    expect(required('admins')).toEqual(['admin']);
    expect(required('agents')).toEqual(['admin', 'agent', 'light-agent']);
    expect(required('off')).toEqual([]);
    const load = (env: Record<string, string>) => () =>
      loadConfig({ env, cwd: setup.config.dataDir });
    expect(load({ STEWARD_TWO_FACTOR_REQUIRED: 'everyone' })).toThrow(ConfigError);
    expect(load({ STEWARD_TWO_FACTOR_REQUIRED: 'everyone' })).toThrow(
      /STEWARD_TWO_FACTOR_REQUIRED: expected one of admins, agents, off/,
    );
    expect(load({ STEWARD_REAUTH_WINDOW: '0' })).toThrow(/STEWARD_REAUTH_WINDOW/);
    expect(load({ STEWARD_REAUTH_WINDOW: '15' })().twoFactor.reauthenticationWindowMs).toBe(
      15 * 60_000,
    );
  });

  it('removes two-factor: by the user, or by an admin; both audited', async () => {
    const { user: created } = await enrolled();
    const admin = await user('admin');
    await service().resetByAdmin(actor(admin), created.id);
    await expect(service().status(created.id)).resolves.toMatchObject({ enabled: false });
    await expect(service().remove(actor(created), created)).rejects.toThrow(/not enabled/);
    const other = await enrolled();
    await service().remove(actor(other.user), other.user);
    const removed = await app
      .get(DataSource)
      .getRepository(AuditEntryEntity)
      .find({ where: { action: 'auth.two_factor.disabled' }, order: { id: 'ASC' } });
    expect(removed.map((r) => [r.actorId, r.targetId, details(r)])).toEqual([
      [String(admin.id), String(created.id), { by: 'admin' }],
      [String(other.user.id), String(other.user.id), { by: 'self' }],
    ]);
    await expect(
      app.get(DataSource).getRepository(TwoFactorRecoveryCodeEntity).count(),
    ).resolves.toBe(0);
  });

  it('exports whether and since when two-factor was on, never the secret; erasure deletes it', async () => {
    const { user: created, secret, recoveryCodes } = await enrolled();
    const contributor = app.get(IdentityContributor);
    const subject = { userId: String(created.id), emails: [] };
    const parts = await contributor.exportSubject(subject);
    expect(parts.find((part) => part.category === 'two_factor')?.records).toEqual([
      {
        userId: created.id,
        enabled: true,
        createdAt: new Date(clock.now().getTime() - STEP_MS).toISOString(),
        enabledAt: new Date(clock.now().getTime() - STEP_MS).toISOString(),
        recoveryCodesLeft: 10,
      },
    ]);
    const text = JSON.stringify(parts);
    expect(text).not.toContain(secret);
    for (const code of recoveryCodes) expect(text).not.toContain(code);
    await expect(contributor.planErasure(subject)).resolves.toContainEqual({
      category: 'two_factor',
      action: 'delete',
      count: 11,
    });
    await expect(
      contributor.eraseSubject(subject, { label: 'Erased user 1' }),
    ).resolves.toContainEqual({ category: 'two_factor', deleted: 11, anonymised: 0 });
    const data = app.get(DataSource);
    await expect(data.getRepository(TwoFactorCredentialEntity).count()).resolves.toBe(0);
    await expect(data.getRepository(TwoFactorRecoveryCodeEntity).count()).resolves.toBe(0);
  });
});
