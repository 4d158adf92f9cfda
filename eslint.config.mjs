// Steward lint setup (design: /work/shared/design/STYLE.md "Tooling floor" and "Rooms").
// Proof that the boundary rules bite: tools/lint/boundaries.spec.ts.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import steward from './tools/lint/import-boundaries.mjs';

const root = import.meta.dirname;

const TS = ['{apps,libs,bench,tools}/**/*.ts'];
const TESTS = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'];
const JS = ['**/*.{js,cjs,mjs}'];

const forwardRefBan = {
  name: '@nestjs/common',
  importNames: ['forwardRef'],
  message:
    'No forwardRef: a cycle means a missing event or a misplaced service (STYLE.md "Rooms").',
};
const envImportBans = ['process', 'node:process'].map((name) => ({
  name,
  importNames: ['env'],
  message: 'Read configuration through the typed config in libs/platform/src/config.',
}));

export default defineConfig(
  {
    name: 'steward/ignores',
    ignores: [
      '**/node_modules/',
      '**/dist/',
      'data/',
      'coverage/',
      'bench/results/',
      // Deliberately broken code, linted only by tools/lint/boundaries.spec.ts.
      'tools/lint/fixtures/',
    ],
  },
  {
    name: 'steward/linter-options',
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // Plain JavaScript (jest.config.js, eslint.config.mjs, scripts/*.mjs, tools/lint/*.mjs):
  // basic rules, no type information.
  {
    name: 'steward/javascript',
    files: JS,
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 'latest',
      globals: {
        Buffer: 'readonly',
        URL: 'readonly',
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        structuredClone: 'readonly',
        fetch: 'readonly',
      },
    },
  },
  {
    name: 'steward/javascript-commonjs',
    files: ['**/*.{js,cjs}'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
      },
    },
  },

  // TypeScript: type-aware typescript-eslint.
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: TS })),
  {
    name: 'steward/typescript',
    files: TS,
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: root,
        // Same as tsconfig.json; consistent-type-imports then leaves files with decorators alone,
        // so constructor-injected classes keep the runtime import NestJS DI needs.
        emitDecoratorMetadata: true,
        experimentalDecorators: true,
      },
    },
    plugins: { 'import-x': importX, steward },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: `${root}/tsconfig.json` }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      // Same convention as noUnusedLocals/noUnusedParameters: a leading _ marks "unused on purpose".
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],

      // Boundaries: door, direction, @steward/testing, relative escapes (tools/lint/import-boundaries.mjs).
      'steward/import-boundaries': ['error', { root }],
      // Cycles, following @steward/* aliases through tsconfig paths. Type-only imports do not count.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],

      // No forwardRef.
      'no-restricted-imports': ['error', { paths: [forwardRefBan, ...envImportBans] }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='forwardRef']",
          message: forwardRefBan.message,
        },
      ],
      // Nobody else reads process.env (STYLE.md "Configuration and schema").
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through the typed config in libs/platform/src/config.',
        },
      ],
    },
  },
  {
    name: 'steward/process-env-allowed',
    files: ['libs/platform/src/config/**/*.ts', ...TESTS],
    rules: {
      'no-restricted-imports': ['error', { paths: [forwardRefBan] }],
      'no-restricted-properties': 'off',
    },
  },
  {
    name: 'steward/libs-no-console',
    files: ['libs/**/*.ts'],
    ignores: TESTS,
    rules: { 'no-console': 'error' },
  },
  {
    name: 'steward/tests',
    files: TESTS,
    rules: {
      // expect(mock.method).toHaveBeenCalled() passes an unbound method on purpose.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
