import { createDataSource } from '@steward/persistence';
import { stewardSchema } from '@steward/runtime';
import {
  createTestSetup,
  expectExitCode,
  ProcessTracker,
  STACK_TRACE_LINE,
  type CompletedProcess,
  type TestSetup,
} from '@steward/testing';

/** Child processes get PATH and nothing else from the test runner's environment. */
const PATH = process.env.PATH ?? '';
const PASSWORD_LINE = /^one-time password: (\S{20})$/m;

describe('steward user reset-password and disable', () => {
  const processes = new ProcessTracker();
  let setup: TestSetup;
  let env: Record<string, string>;

  function steward(args: string[]): Promise<CompletedProcess> {
    return processes.run('cli', { args, env });
  }

  async function rows<T>(sql: string): Promise<T[]> {
    const dataSource = await createDataSource(setup.config.database, stewardSchema);
    await dataSource.initialize();
    try {
      return await dataSource.query<T[]>(sql);
    } finally {
      await dataSource.destroy();
    }
  }

  async function ann(): Promise<{ active: number; must: number; hash: string }> {
    const [row] = await rows<{ active: number; must: number; hash: string }>(
      "SELECT active, password_must_change AS must, password_hash AS hash FROM users WHERE email = 'ann@example.com'",
    );
    if (!row) throw new Error('ann is missing');
    return { active: Number(row.active), must: Number(row.must), hash: row.hash };
  }

  async function actions(): Promise<string[]> {
    return (await rows<{ action: string }>('SELECT action FROM audit_entries ORDER BY id')).map(
      (row) => row.action,
    );
  }

  beforeAll(async () => {
    setup = await createTestSetup();
    env = { ...setup.env, PATH };
    expectExitCode(await steward(['user', 'create-admin', '--email', 'ann@example.com']), 0);
    expectExitCode(
      await steward(['token', 'create', '--user', 'ann@example.com', '--name', 'ci']),
      0,
    );
  });

  afterAll(async () => {
    await processes.stopAll();
    await setup?.cleanup();
  });

  it('reset-password prints a new one-time password that must be changed, and audits it', async () => {
    const before = await ann();
    const result = await steward(['user', 'reset-password', '--email', 'ANN@example.com']);
    expectExitCode(result, 0);
    expect(result.stdout).toMatch(PASSWORD_LINE);
    expect(result.stdout).toMatch(/^sessions ended: \d+$/m);
    const after = await ann();
    expect(after.must).toBe(1);
    expect(after.hash).not.toBe(before.hash);
    expect(await actions()).toContain('user.password.reset');
  });

  it('disable deactivates the user, revokes their tokens, and audits it', async () => {
    const result = await steward(['user', 'disable', '--email', 'ann@example.com']);
    expectExitCode(result, 0);
    expect(result.stdout).toMatch(/API tokens revoked: 1$/m);
    expect((await ann()).active).toBe(0);
    const tokens = await rows<{ revoked_at: unknown }>('SELECT revoked_at FROM api_tokens');
    expect(tokens.every((token) => token.revoked_at !== null)).toBe(true);
    expect(await actions()).toEqual(expect.arrayContaining(['user.deactivated', 'token.revoked']));
  });

  it.each([['reset-password'], ['disable']])(
    '%s exits 64 with a clear message for an unknown user',
    async (command) => {
      const result = await steward(['user', command, '--email', 'nobody@example.com']);
      expectExitCode(result, 64);
      expect(result.stderr).toMatch(
        /^steward: .*no user with the email address nobody@example\.com$/m,
      );
      expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
      expect(result.stdout).not.toMatch(PASSWORD_LINE);
    },
  );
});
