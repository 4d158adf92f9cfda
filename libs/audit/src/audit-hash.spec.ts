import { randomBytes } from 'node:crypto';
import {
  canonicalEntry,
  entryHash,
  GENESIS_HASH,
  type HashedFields,
  networkDigest,
  networkIntact,
} from './audit-hash';

const entry: HashedFields = {
  id: 7,
  occurredAt: new Date('2026-11-21T08:00:00.123Z'),
  actorType: 'user',
  actorId: '42',
  action: 'role.changed',
  targetType: 'user',
  targetId: '43',
  networkDigest: 'ab'.repeat(32),
  details: '{"from":"agent","to":"admin"}',
  prevHash: GENESIS_HASH,
};

describe('audit entry hash', () => {
  it('is the SHA-256 of a fixed-order JSON array with the time in ISO 8601 milliseconds', () => {
    expect(canonicalEntry(entry)).toBe(
      '["steward.audit.v1",7,"2026-11-21T08:00:00.123Z","user","42","role.changed","user","43",' +
        `"${'ab'.repeat(32)}","{\\"from\\":\\"agent\\",\\"to\\":\\"admin\\"}","${GENESIS_HASH}"]`,
    );
    expect(entryHash(entry)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['id', { id: 8 }],
    ['time', { occurredAt: new Date('2026-11-21T08:00:00.124Z') }],
    ['actor type', { actorType: 'system' }],
    ['actor id', { actorId: '41' }],
    ['action', { action: 'role.removed' }],
    ['target type', { targetType: 'group' }],
    ['target id', { targetId: null }],
    ['network digest', { networkDigest: null }],
    ['details', { details: '{"from":"agent","to":"agent"}' }],
    ['previous hash', { prevHash: 'f'.repeat(64) }],
  ] as const)('changes when the %s changes', (_field, change) => {
    expect(entryHash({ ...entry, ...change })).not.toBe(entryHash(entry));
  });

  it('tells a null from the string "null"', () => {
    expect(entryHash({ ...entry, actorId: 'null' })).not.toBe(
      entryHash({ ...entry, actorId: null }),
    );
  });
});

describe('network digest', () => {
  const salt = randomBytes(16).toString('hex');
  const recorded = {
    ip: '203.0.113.9',
    userAgent: 'Mozilla/5.0',
    networkSalt: salt,
    networkDigest: networkDigest(salt, '203.0.113.9', 'Mozilla/5.0'),
  };

  it('holds while ip and user agent are as recorded', () => {
    expect(networkIntact(recorded)).toBe(true);
  });

  it('fails when the ip or the user agent was changed', () => {
    expect(networkIntact({ ...recorded, ip: '203.0.113.10' })).toBe(false);
    expect(networkIntact({ ...recorded, userAgent: 'curl/8' })).toBe(false);
  });

  it('holds once ip, user agent and salt were erased together, and not when only the salt was', () => {
    expect(networkIntact({ ...recorded, ip: null, userAgent: null, networkSalt: null })).toBe(true);
    expect(networkIntact({ ...recorded, networkSalt: null })).toBe(false);
  });

  it('depends on the salt, so the same address gives unrelated digests', () => {
    const other = randomBytes(16).toString('hex');
    expect(networkDigest(other, recorded.ip, recorded.userAgent)).not.toBe(recorded.networkDigest);
  });
});
