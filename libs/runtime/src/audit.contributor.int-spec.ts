import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditLog, type RecordAuditEntry } from '@steward/audit';
import { createLogger } from '@steward/platform';
import { PrivacyRegistry } from '@steward/privacy';
import { createTestSetup, LogCapture, truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { AuditContributor } from './audit.contributor';
import { StewardCoreModule } from './steward-core.module';

const subject = { userId: '7', emails: ['erin@example.com'] };

const entry = (actorId: string, action: string, targetId: string): RecordAuditEntry => ({
  actorType: 'user',
  actorId,
  action,
  targetType: 'user',
  targetId,
  ip: actorId === '7' ? '198.51.100.7' : '203.0.113.8',
  userAgent: actorId === '7' ? 'Erin-Browser/1.0' : 'Agent-Browser/2.0',
});

describe('the audit log as a personal data contributor', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let audit: AuditLog;
  let contributor: AuditContributor;

  beforeAll(async () => {
    setup = await createTestSetup();
    app = await NestFactory.createApplicationContext(
      StewardCoreModule.forRoot({
        config: setup.config,
        secrets: setup.secrets,
        logger: createLogger('warn', new LogCapture()),
        consumeJobs: false,
      }),
      { logger: false },
    );
    audit = app.get(AuditLog);
    contributor = app.get(AuditContributor);
  });

  beforeEach(async () => {
    await audit.record(entry('7', 'auth.sign_in.succeeded', '7')); // 1: the subject acts
    await audit.record(entry('8', 'role.changed', '7')); // 2: an agent acts on the subject
    await audit.record(entry('8', 'auth.sign_in.succeeded', '8')); // 3: unrelated
  });

  afterEach(async () => truncateAll(app.get(DataSource)));

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  it('is registered with the privacy registry as "audit"', () => {
    const contributors = app.get(PrivacyRegistry).contributors();
    expect(contributors).toContain(contributor);
    expect(contributors.map((c) => c.name)).toContain('audit');
  });

  it("exports the subject's entries, with network data only of those where they acted", async () => {
    const [part] = await contributor.exportSubject(subject);
    expect(part).toMatchObject({ category: 'audit', schemaVersion: 1 });
    expect(part?.records).toEqual([
      expect.objectContaining({
        id: 1,
        actorId: '7',
        ip: '198.51.100.7',
        userAgent: 'Erin-Browser/1.0',
      }),
      expect.objectContaining({
        id: 2,
        actorId: '8',
        action: 'role.changed',
        ip: null,
        userAgent: null,
      }),
    ]);
  });

  it('plans to keep the entries and to remove the network data of those where the subject acted', async () => {
    await expect(contributor.planErasure(subject)).resolves.toEqual([
      {
        category: 'audit',
        action: 'keep',
        count: 2,
        reason: 'audit entries are kept for accountability; they hold only pseudonymous ids',
      },
      expect.objectContaining({ category: 'audit network data', action: 'anonymise', count: 1 }),
    ]);
  });

  it('removes that network data, records the erasure, and leaves the chain intact', async () => {
    await expect(contributor.eraseSubject(subject)).resolves.toEqual([
      { category: 'audit', deleted: 0, anonymised: 0 },
      { category: 'audit network data', deleted: 0, anonymised: 1 },
    ]);
    const [part] = await contributor.exportSubject(subject);
    expect(part?.records[0]).toMatchObject({ id: 1, ip: null, userAgent: null });
    const [, agent] = (await audit.query({ actorId: '8' })).entries;
    expect(agent).toMatchObject({ id: 2, ip: '203.0.113.8' });
    const { entries } = await audit.query({ action: 'privacy.audit_network_data.erased' });
    expect(entries).toEqual([
      expect.objectContaining({ actorType: 'system', targetId: '7', details: { entries: 1 } }),
    ]);
    await expect(audit.verify()).resolves.toMatchObject({ ok: true, checked: 4 });
    const text = JSON.stringify(await app.get(DataSource).query('SELECT * FROM audit_entries'));
    expect(text).not.toContain('198.51.100.7');
    expect(text).not.toContain('Erin-Browser');
  });

  it('holds nothing about a subject known only by email addresses', async () => {
    await expect(contributor.exportSubject({ emails: ['erin@example.com'] })).resolves.toEqual([
      { category: 'audit', schemaVersion: 1, records: [] },
    ]);
  });
});
