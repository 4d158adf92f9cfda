import { chmodSync, statSync } from 'node:fs';
import { loadTestEnvironment, readSecrets } from '@steward/platform';
import { stewardSchema } from '@steward/runtime';
import { LocalEncryptedBlobStore } from '@steward/storage';
import {
  createTestSetup,
  expectExitCode,
  ProcessTracker,
  STACK_TRACE_LINE,
  type CompletedProcess,
  type TestSetup,
} from '@steward/testing';

const shape = loadTestEnvironment().shape;
/** Child processes get PATH and nothing else from the test runner's environment. */
const PATH = process.env.PATH ?? '';
const MIGRATIONS = stewardSchema.migrations.map((migration) => migration.name);
const DOCTOR_CHECKS = [
  'configuration',
  'data directory',
  'secrets',
  'storage',
  'database',
  'migrations',
  ...(shape === 'production' ? ['redis'] : []),
];

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
}

/** The doctor's verdict per check, from its `ok  name  detail` / `FAIL  name  detail` lines. */
function verdicts(stdout: string): Record<string, 'ok' | 'FAIL'> {
  const out: Record<string, 'ok' | 'FAIL'> = {};
  for (const match of stdout.matchAll(/^(ok|FAIL) {2,}(\S+(?: \S+)?) {2,}\S/gm)) {
    out[match[2] ?? ''] = match[1] as 'ok' | 'FAIL';
  }
  return out;
}

describe('the steward command', () => {
  const processes = new ProcessTracker();
  let setup: TestSetup;
  let env: Record<string, string>;

  function steward(
    args: string[],
    options: { input?: string; env?: Record<string, string> } = {},
  ): Promise<CompletedProcess> {
    return processes.run('cli', { args, input: options.input, env: options.env ?? env });
  }

  beforeAll(async () => {
    // Its own empty database, data directory (0700) and secrets.json (0600).
    setup = await createTestSetup();
    env = { ...setup.env, PATH };
  });

  afterAll(async () => {
    await processes.stopAll();
    await setup?.cleanup();
  });

  describe('user create-admin on an empty database', () => {
    it('refuses with exit 78, naming steward migrate, when not allowed to migrate (STEWARD_MIGRATE_ON_BOOT=false)', async () => {
      const result = await steward(['user', 'create-admin', '--email', 'early@example.com'], {
        env: { ...env, STEWARD_MIGRATE_ON_BOOT: 'false' },
      });
      expectExitCode(result, 78);
      expect(result.stderr).toMatch(/^steward: .*migration\(s\) pending.*steward migrate/m);
      expect(result.stdout).not.toContain('one-time password');
    });
  });

  describe('migrate', () => {
    it('--status lists the pending migrations of an empty database and exits 1', async () => {
      const result = await steward(['migrate', '--status']);
      expectExitCode(result, 1);
      expect(result.stdout).toContain('pending:');
      for (const name of MIGRATIONS) expect(result.stdout).toContain(`  ${name}`);
    });

    it('applies the pending migrations, after which --status exits 0', async () => {
      const applied = await steward(['migrate']);
      expectExitCode(applied, 0);
      expect(applied.stdout).toContain('applied:');
      for (const name of MIGRATIONS) expect(applied.stdout).toContain(`  ${name}`);

      const status = await steward(['migrate', '--status']);
      expectExitCode(status, 0);
      expect(status.stdout).toBe('no pending migrations\n');
    });

    it('--check-drift exits 0 and says there is no drift', async () => {
      const result = await steward(['migrate', '--check-drift']);
      expectExitCode(result, 0);
      expect(result.stdout).toMatch(/^no drift between entities and migrations/m);
    });
  });

  describe('doctor', () => {
    beforeAll(async () => {
      // What the first server start would leave: the storage directory, 0700.
      await new LocalEncryptedBlobStore(
        setup.config.storageDir,
        setup.secrets.keyring,
      ).ensureDirectory();
    });

    it(`prints one ok line per check (${DOCTOR_CHECKS.join(', ')}) and exits 0`, async () => {
      const result = await steward(['doctor']);
      expectExitCode(result, 0);
      expect(result.stdout).toContain('all checks passed');
      expect(verdicts(result.stdout)).toEqual(
        Object.fromEntries(DOCTOR_CHECKS.map((name) => [name, 'ok'])),
      );
      expect(result.stdout.match(/^(ok|FAIL) /gm)).toHaveLength(DOCTOR_CHECKS.length);
    });

    it('names a storage directory open to others (0777), with a chmod 700 hint, and exits 1', async () => {
      const dir = setup.config.storageDir;
      chmodSync(dir, 0o777);
      try {
        const result = await steward(['doctor']);
        expectExitCode(result, 1);
        expect(result.stdout).toMatch(
          new RegExp(
            `^FAIL {2}storage +.*${literal(dir)} is open to group or others \\(mode 0777`,
            'm',
          ),
        );
        expect(result.stdout).toContain(`chmod 700 ${dir}`);
        expect(verdicts(result.stdout)).toMatchObject({ storage: 'FAIL', database: 'ok' });
      } finally {
        chmodSync(dir, 0o700);
      }
    });

    it('names a secrets file readable by others (0644), with a chmod 600 hint, and exits 1', async () => {
      const file = setup.config.secretsFile;
      chmodSync(file, 0o644);
      try {
        const result = await steward(['doctor']);
        expectExitCode(result, 1);
        expect(result.stdout).toMatch(
          new RegExp(
            `^FAIL {2}secrets +${literal(file)} is readable by group or others \\(mode 0644\\)`,
            'm',
          ),
        );
        expect(result.stdout).toMatch(new RegExp(`^ +hint: chmod 600 ${literal(file)}$`, 'm'));
      } finally {
        chmodSync(file, 0o600);
      }
    });

    if (shape === 'production') {
      it('names an unreachable Redis in plain words, with a hint, and exits 1', async () => {
        const result = await steward(['doctor'], {
          env: { ...env, REDIS_URL: 'redis://127.0.0.1:1/0' },
        });
        expectExitCode(result, 1);
        expect(result.stdout).toMatch(/^FAIL {2}redis +cannot reach Redis at 127\.0\.0\.1:1\b/m);
        expect(result.stdout).toMatch(/^ +hint: start Redis, or check REDIS_URL$/m);
        expect(verdicts(result.stdout)).toMatchObject({ database: 'ok', redis: 'FAIL' });
      });
    } else {
      it('names REDIS_URL as a configuration error next to a SQLite database, and exits 1', async () => {
        const result = await steward(['doctor'], {
          env: { ...env, REDIS_URL: 'redis://127.0.0.1:1/0' },
        });
        expectExitCode(result, 1);
        expect(result.stdout).toMatch(
          /^FAIL {2}configuration +REDIS_URL: set, but DATABASE_URL is SQLite/m,
        );
        expect(result.stdout).toMatch(/^ +hint: see config\/steward\.example\.env$/m);
      });
    }
  });

  describe('user create-admin', () => {
    const password = 'correct-horse-battery-staple';

    it('creates an administrator with a password read from stdin, never echoing it', async () => {
      const result = await steward(
        ['user', 'create-admin', '--email', 'ann@example.com', '--password-stdin'],
        { input: `${password}\n` },
      );
      expectExitCode(result, 0);
      expect(result.stdout).toMatch(/^created administrator ann@example\.com \(id \S+\)$/m);
      expect(result.stdout).not.toContain(password);
      expect(result.stderr).not.toContain(password);
      expect(result.stdout).not.toContain('one-time password');
    });

    it('refuses an email address that already exists with exit 64', async () => {
      const result = await steward(
        ['user', 'create-admin', '--email', 'ann@example.com', '--password-stdin'],
        { input: `${password}\n` },
      );
      expectExitCode(result, 64);
      expect(result.stderr).toMatch(/^steward: .*already exists$/m);
      expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
    });

    it('refuses a password shorter than 12 characters with exit 64, stating the length rule', async () => {
      const result = await steward(
        ['user', 'create-admin', '--email', 'bob@example.com', '--password-stdin'],
        { input: 'too-short\n' },
      );
      expectExitCode(result, 64);
      expect(result.stderr).toContain('password must be 12 to 128 characters long');
      expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
    });

    it('prints a 20-character one-time password without --password-stdin', async () => {
      const result = await steward(['user', 'create-admin', '--email', 'cid@example.com']);
      expectExitCode(result, 0);
      expect(result.stdout).toMatch(/^one-time password: [A-Za-z0-9]{20}$/m);
      expect(result.stdout).toContain('created administrator cid@example.com');
    });
  });

  describe('keys rotate', () => {
    const owner = { type: 'attachment', id: 'e2e-1' };
    const content = Buffer.from('a blob stored before the rotation');
    let blobId: string;
    let oldKeyId: string;

    beforeAll(async () => {
      oldKeyId = setup.secrets.keyring.currentId;
      const store = new LocalEncryptedBlobStore(setup.config.storageDir, setup.secrets.keyring);
      blobId = (await store.put(owner, content)).id;
    });

    it('makes a new key current, re-wraps the one data key, keeps secrets.json 0600, and the blob reads back', async () => {
      const result = await steward(['keys', 'rotate']);
      expectExitCode(result, 0);
      expect(result.stdout).toContain('re-wrapped 1 data key(s); 0 already used the new key');

      const file = setup.config.secretsFile;
      expect(mode(file)).toBe('0600');
      const { keyring } = readSecrets(file);
      expect(keyring.keys.map((k) => k.id)).toEqual([oldKeyId, keyring.currentId]);
      expect(keyring.currentId).not.toBe(oldKeyId);
      expect(result.stdout).toContain(`new key-encryption key ${keyring.currentId} is now current`);

      const store = new LocalEncryptedBlobStore(setup.config.storageDir, keyring);
      expect(await store.keyIdsInUse()).toEqual(new Set([keyring.currentId]));
      expect(await store.read(blobId, owner)).toEqual(content);
    });
  });

  describe('bad usage', () => {
    it('exits 64 with usage help on an unknown command, without a stack trace', async () => {
      const result = await steward(['frobnicate']);
      expectExitCode(result, 64);
      expect(result.stderr).toContain("unknown command 'frobnicate'");
      expect(result.stderr).toContain('Usage: steward [options] [command]');
      expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
    });

    it('exits 64 with usage help when a required option is missing, without a stack trace', async () => {
      const result = await steward(['user', 'create-admin']);
      expectExitCode(result, 64);
      expect(result.stderr).toContain("required option '--email <email>' not specified");
      expect(result.stderr).toContain('Usage: steward user create-admin [options]');
      expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
    });
  });
});
