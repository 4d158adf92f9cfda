import { createHash } from 'node:crypto';
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
const TOKEN_LINE = /^token: (stw_[A-Za-z0-9_-]{43})$/m;

interface TokenRow {
  id: number;
  name: string;
  token_hash: string;
  hint: string;
  revoked_at: unknown;
}

describe('steward token', () => {
  const processes = new ProcessTracker();
  let setup: TestSetup;
  let env: Record<string, string>;

  function steward(args: string[]): Promise<CompletedProcess> {
    return processes.run('cli', { args, env });
  }

  async function tokenRows(): Promise<TokenRow[]> {
    const dataSource = await createDataSource(setup.config.database, stewardSchema);
    await dataSource.initialize();
    try {
      return await dataSource.query<TokenRow[]>(
        'SELECT id, name, token_hash, hint, revoked_at FROM api_tokens ORDER BY id',
      );
    } finally {
      await dataSource.destroy();
    }
  }

  async function create(name: string): Promise<{ result: CompletedProcess; token: string }> {
    const result = await steward(['token', 'create', '--user', 'ann@example.com', '--name', name]);
    expectExitCode(result, 0);
    return { result, token: TOKEN_LINE.exec(result.stdout)?.[1] ?? '' };
  }

  beforeAll(async () => {
    setup = await createTestSetup();
    env = { ...setup.env, PATH };
    expectExitCode(await steward(['user', 'create-admin', '--email', 'ann@example.com']), 0);
  });

  afterAll(async () => {
    await processes.stopAll();
    await setup?.cleanup();
  });

  describe('create', () => {
    it('prints the token once, says it will not be shown again, and stores only its hash', async () => {
      const { result, token } = await create('CI script');
      expect(token).toMatch(/^stw_/);
      expect(result.stdout.split(token)).toHaveLength(2); // exactly once
      expect(result.stdout).toMatch(/will not be shown again/);
      expect(result.stdout).toContain('ann@example.com/token:<token>');
      expect(result.stderr).not.toContain(token);
      const rows = await tokenRows();
      expect(rows).toEqual([
        expect.objectContaining({
          name: 'CI script',
          token_hash: createHash('sha256').update(token).digest('hex'),
          hint: token.slice(-4),
        }),
      ]);
      expect(JSON.stringify(rows)).not.toContain(token);
    });

    it('refuses an unknown user with exit 64 and a clear message', async () => {
      const result = await steward([
        'token',
        'create',
        '--user',
        'nobody@example.com',
        '--name',
        'x',
      ]);
      expectExitCode(result, 64);
      expect(result.stderr).toMatch(
        /^steward: no user with the email address nobody@example\.com$/m,
      );
      expect(result.stdout).not.toMatch(/stw_/);
      expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
    });

    it('refuses a name over 100 characters with exit 64, stating the rule', async () => {
      const result = await steward([
        'token',
        'create',
        '--user',
        'ann@example.com',
        '--name',
        'x'.repeat(101),
      ]);
      expectExitCode(result, 64);
      expect(result.stderr).toContain('name must be 1 to 100 characters');
      expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
    });

    it('exits 64 with usage help when --name is missing', async () => {
      const result = await steward(['token', 'create', '--user', 'ann@example.com']);
      expectExitCode(result, 64);
      expect(result.stderr).toContain("required option '--name <name>' not specified");
    });
  });

  describe('list and revoke', () => {
    let token: string;
    let id: number;

    beforeAll(async () => {
      ({ token } = await create('laptop'));
      id = (await tokenRows()).find((row) => row.name === 'laptop')?.id ?? 0;
    });

    it("lists the user's tokens by id, name and last 4 characters, without secrets", async () => {
      const result = await steward(['token', 'list', '--user', 'ann@example.com']);
      expectExitCode(result, 0);
      expect(result.stdout).toMatch(
        new RegExp(`^${id} +…${token.slice(-4)} .* active +laptop$`, 'm'),
      );
      expect(result.stdout).toMatch(/ CI script$/m);
      for (const row of await tokenRows()) expect(result.stdout).not.toContain(row.token_hash);
      expect(result.stdout).not.toContain(token);
    });

    it('revokes a token by id; the list then shows it revoked', async () => {
      const result = await steward(['token', 'revoke', '--id', String(id)]);
      expectExitCode(result, 0);
      expect(result.stdout).toMatch(new RegExp(`^revoked API token ${id}$`, 'm'));
      expect((await tokenRows()).find((row) => row.id === id)?.revoked_at).not.toBeNull();
      const list = await steward(['token', 'list', '--user', 'ann@example.com']);
      expect(list.stdout).toMatch(/ revoked +laptop$/m);
    });

    it('says so when the token was already revoked', async () => {
      const result = await steward(['token', 'revoke', '--id', String(id)]);
      expectExitCode(result, 0);
      expect(result.stdout).toContain(`API token ${id} was already revoked`);
    });

    it.each([
      ['an id that does not exist', '999999', /no API token with this id/],
      ['an id that is not a number', 'abc', /--id expects a token id/],
    ])('refuses %s with exit 64', async (_case, value, message) => {
      const result = await steward(['token', 'revoke', '--id', value]);
      expectExitCode(result, 64);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(STACK_TRACE_LINE);
    });

    it('refuses to list the tokens of an unknown user with exit 64', async () => {
      const result = await steward(['token', 'list', '--user', 'nobody@example.com']);
      expectExitCode(result, 64);
      expect(result.stderr).toContain('no user with the email address nobody@example.com');
    });
  });
});
