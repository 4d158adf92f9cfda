import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import type { Linter } from 'eslint';
import { configs as tsConfigs } from 'typescript-eslint';

// Proves that eslint.config.mjs reports boundary violations. Every case lints code with the real
// config. Probe files (paths under libs/ and apps/) are not on disk, so the probe linter switches
// off type information; the rules checked here need none. Files under tools/lint/fixtures/ are on
// disk and are linted with the full, type-aware config.

const root = path.resolve(__dirname, '../..');

const fullLinter = new ESLint({ cwd: root, ignore: false });
const probeLinter = new ESLint({
  cwd: root,
  ignore: false,
  overrideConfig: [{ ...tsConfigs.disableTypeChecked, files: ['**/*.ts'] }],
});

interface Finding {
  ruleId: string | null;
  messageId: string | undefined;
}

function errorsOf(messages: Linter.LintMessage[]): Finding[] {
  return messages
    .filter((m) => m.severity === 2)
    .map((m) => ({ ruleId: m.ruleId, messageId: m.messageId }));
}

async function probe(file: string, code: string): Promise<Finding[]> {
  const [result] = await probeLinter.lintText(code, { filePath: path.join(root, file) });
  return errorsOf(result.messages);
}

async function fixture(file: string): Promise<Finding[]> {
  const filePath = path.join(root, 'tools/lint/fixtures', file);
  const [result] = await fullLinter.lintText(readFileSync(filePath, 'utf8'), { filePath });
  return errorsOf(result.messages);
}

const boundary = (messageId: string): Finding => ({
  ruleId: 'steward/import-boundaries',
  messageId,
});

describe('import boundaries', () => {
  it('forbids libs/platform from importing a feature lib', async () => {
    expect(
      await probe('libs/platform/src/probe.ts', "export { x } from '@steward/identity';"),
    ).toEqual([boundary('forbidden')]);
  });

  it('forbids libs/platform from importing any other lib, even a platform one', async () => {
    expect(
      await probe('libs/platform/src/probe.ts', "export { x } from '@steward/queue';"),
    ).toEqual([boundary('forbidden')]);
  });

  it('forbids a platform lib from importing a feature lib', async () => {
    expect(await probe('libs/queue/src/probe.ts', "export { x } from '@steward/privacy';")).toEqual(
      [boundary('forbidden')],
    );
  });

  it('forbids a feature lib from importing the runtime', async () => {
    expect(
      await probe('libs/identity/src/probe.ts', "export { x } from '@steward/runtime';"),
    ).toEqual([boundary('forbidden')]);
  });

  it('forbids a relative path out of libs/queue into libs/platform', async () => {
    expect(
      await probe(
        'libs/queue/src/jobs/probe.ts',
        "export { loadConfig } from '../../../platform/src/config/config';",
      ),
    ).toEqual([boundary('leavesUnitToLib')]);
    expect(
      await probe(
        'libs/queue/src/probe.ts',
        "export { loadConfig } from '../../platform/src/config/config';",
      ),
    ).toEqual([boundary('leavesUnitToLib')]);
  });

  it('forbids a relative path from an app into a lib', async () => {
    expect(
      await probe('apps/cli/src/probe.ts', "export { x } from '../../../libs/identity/src/index';"),
    ).toEqual([boundary('leavesUnitToLib')]);
  });

  it('forbids an app from importing another app', async () => {
    expect(
      await probe('apps/server/src/probe.ts', "export { x } from '../../worker/src/main';"),
    ).toEqual([boundary('leavesUnitToApp')]);
  });

  it('forbids a deep path into another lib', async () => {
    expect(
      await probe('libs/identity/src/probe.ts', "export { x } from '@steward/queue/src/x';"),
    ).toEqual([boundary('deepImport')]);
  });

  it('forbids a lib importing itself through its alias', async () => {
    expect(
      await probe('libs/identity/src/probe.ts', "export { x } from '@steward/identity';"),
    ).toEqual([boundary('selfAlias')]);
  });

  it('forbids an alias that names no known lib', async () => {
    expect(await probe('libs/identity/src/probe.ts', "export { x } from '@steward/nope';")).toEqual(
      [boundary('unknownAlias')],
    );
  });

  it('reports a lib folder that is not classified', async () => {
    expect(await probe('libs/nope/src/probe.ts', 'export const x = 1;')).toEqual([
      boundary('unknownLib'),
    ]);
  });

  it('checks dynamic imports and require calls too', async () => {
    expect(
      await probe('libs/queue/src/probe.ts', "export const m = import('@steward/identity');"),
    ).toEqual([boundary('forbidden')]);
    expect(
      await probe('libs/queue/src/probe.ts', "export const m: unknown = require('@steward/mail');"),
    ).toContainEqual(boundary('forbidden'));
  });

  it('allows apps/server to import a feature lib', async () => {
    expect(
      await probe(
        'apps/server/src/probe.ts',
        "import { UserService } from '@steward/identity';\nexport const s = UserService;",
      ),
    ).toEqual([]);
  });

  it('allows a feature lib to import libs/platform and another feature', async () => {
    expect(
      await probe(
        'libs/identity/src/probe.ts',
        "export { Clock } from '@steward/platform';\nexport { x } from '@steward/privacy';",
      ),
    ).toEqual([]);
  });

  it('allows the runtime to import features and platform libs', async () => {
    expect(
      await probe(
        'libs/runtime/src/probe.ts',
        "export { x } from '@steward/identity';\nexport { y } from '@steward/persistence';",
      ),
    ).toEqual([]);
  });

  it('allows relative imports inside a lib', async () => {
    expect(
      await probe('libs/identity/src/users/probe.ts', "export { x } from '../user.service';"),
    ).toEqual([]);
  });

  it('keeps @steward/testing to spec files, test support folders and libs/testing', async () => {
    expect(
      await probe('libs/identity/src/probe.ts', "export { x } from '@steward/testing';"),
    ).toEqual([boundary('testingOnly')]);
    expect(
      await probe('apps/server/src/probe.ts', "export { x } from '@steward/testing';"),
    ).toEqual([boundary('testingOnly')]);
    expect(
      await probe('libs/identity/src/probe.spec.ts', "export { x } from '@steward/testing';"),
    ).toEqual([]);
    expect(
      await probe('libs/testing/src/probe.ts', "export { x } from '@steward/identity';"),
    ).toEqual([]);
    // Test support folders are left out of the build, like spec files.
    expect(
      await probe('apps/server/src/testing/probe.ts', "export { x } from '@steward/testing';"),
    ).toEqual([]);
  });

  it('still holds spec files to the index.ts door', async () => {
    expect(
      await probe('libs/identity/src/probe.spec.ts', "export { x } from '@steward/queue/src/x';"),
    ).toEqual([boundary('deepImport')]);
  });
});

describe('import cycles', () => {
  it('reports a pair of files that import each other', async () => {
    expect(await fixture('cycle/a.ts')).toContainEqual({
      ruleId: 'import-x/no-cycle',
      messageId: 'cycle',
    });
  });

  it('follows @steward/* aliases through tsconfig paths', async () => {
    const config = (await fullLinter.calculateConfigForFile(
      path.join(root, 'libs/queue/src/probe.ts'),
    )) as Linter.Config;
    const [resolver] = config.settings?.['import-x/resolver-next'] as {
      resolve(source: string, file: string): { found: boolean; path?: string | null };
    }[];
    expect(
      resolver.resolve('@steward/platform', path.join(root, 'libs/queue/src/probe.ts')),
    ).toEqual({ found: true, path: path.join(root, 'libs/platform/src/index.ts') });
  });
});

describe('NestJS rules', () => {
  it('forbids forwardRef, by name or through a namespace', async () => {
    expect(
      await probe(
        'libs/identity/src/probe.ts',
        "import { forwardRef } from '@nestjs/common';\nexport const f = forwardRef;",
      ),
    ).toEqual([{ ruleId: 'no-restricted-imports', messageId: 'importNameWithCustomMessage' }]);
    expect(
      await probe(
        'apps/server/src/probe.ts',
        "import * as common from '@nestjs/common';\nexport const f = common.forwardRef;",
      ),
    ).toEqual([
      { ruleId: 'no-restricted-imports', messageId: 'everythingWithCustomMessage' },
      { ruleId: 'no-restricted-syntax', messageId: 'restrictedSyntax' },
    ]);
  });

  it('forbids process.env outside libs/platform/src/config and tests', async () => {
    const read = 'export const url = process.env.STEWARD_DATABASE_URL;';
    expect(await probe('libs/queue/src/probe.ts', read)).toEqual([
      { ruleId: 'no-restricted-properties', messageId: 'restrictedObjectProperty' },
    ]);
    expect(await probe('apps/server/src/probe.ts', 'export const { env } = process;')).toEqual([
      { ruleId: 'no-restricted-properties', messageId: 'restrictedObjectProperty' },
    ]);
    expect(await probe('libs/queue/src/probe.ts', "export { env } from 'node:process';")).toEqual([
      { ruleId: 'no-restricted-imports', messageId: 'importNameWithCustomMessage' },
    ]);
    expect(await probe('libs/platform/src/config/probe.ts', read)).toEqual([]);
    expect(await probe('libs/queue/src/probe.spec.ts', read)).toEqual([]);
  });

  it('forbids console in libs but not in their spec files', async () => {
    const log = "console.log('hello');";
    expect(await probe('libs/identity/src/probe.ts', log)).toEqual([
      { ruleId: 'no-console', messageId: 'unexpected' },
    ]);
    expect(await probe('libs/identity/src/probe.spec.ts', log)).toEqual([]);
  });

  it('keeps the value import of a constructor-injected class in a decorated file', async () => {
    expect(await fixture('di/greeter.service.ts')).toEqual([]);
  });

  it('asks for `import type` where there are no decorators', async () => {
    expect(await fixture('di/plain.ts')).toEqual([
      { ruleId: '@typescript-eslint/consistent-type-imports', messageId: 'typeOverValue' },
    ]);
  });
});
