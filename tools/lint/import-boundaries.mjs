// Steward's import boundaries as one ESLint rule: `steward/import-boundaries`.
//
// It works on import specifiers and file paths alone. It needs no module resolver, so an import
// of a lib that does not exist yet, or a file that is not on disk yet, is still checked.
// That is why it is used instead of eslint-plugin-boundaries, which skips imports its resolver
// cannot resolve.
//
// The rules (docs: /work/shared/design/ARCHITECTURE.md "Layout", STYLE.md "Rooms"):
// - A unit is one of apps/<app>, libs/<lib>, bench or tools. Inside a unit, relative imports are
//   fine. A relative import that leaves its unit is an error: libs are reached only as
//   `@steward/<lib>`, and apps are not reached at all.
// - `@steward/<lib>` is the lib's index.ts, its only door: `@steward/<lib>/<anything>` is an error.
// - A lib does not import itself through its own alias; it uses relative paths.
// - Element types and who may import whom:
//     app (apps/*), tooling (bench, tools) -> runtime, feature, platform
//     runtime                              -> feature, platform
//     feature                              -> feature, platform
//     platform                             -> platform   (but libs/platform -> nothing)
//     testing (libs/testing, *.spec.ts, *.int-spec.ts, *.e2e-spec.ts) -> anything
//   So only testing code imports `@steward/testing`.
// - Every lib folder must be listed in LIBS; a new lib is classified here before it is used.

import path from 'node:path';

/** Every lib and its element type. Add new libs here. */
export const LIBS = Object.freeze({
  platform: 'platform',
  persistence: 'platform',
  queue: 'platform',
  storage: 'platform',
  audit: 'platform',
  identity: 'feature',
  privacy: 'feature',
  tickets: 'feature',
  mail: 'feature',
  knowledge: 'feature',
  runtime: 'runtime',
  testing: 'testing',
});

/** Which element types each element type may import through `@steward/<lib>`. */
export const ALLOWED = Object.freeze({
  app: ['runtime', 'feature', 'platform'],
  tooling: ['runtime', 'feature', 'platform'],
  runtime: ['feature', 'platform'],
  feature: ['feature', 'platform'],
  platform: ['platform'],
  testing: ['runtime', 'feature', 'platform', 'testing'],
});

/** Libs stricter than their element type. */
export const LIB_ALLOWED = Object.freeze({
  platform: [],
});

export const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;
export const TEST_SUPPORT = /^(apps|libs)\/[^/]+\/src\/testing\//;
const ALIAS = /^@steward\/([^/]+)(\/.*)?$/;

/**
 * Where a file sits: its unit folder (relative to the root) and its element type.
 * @param {string} root absolute repository root
 * @param {string} filename absolute file name
 */
export function describeFile(root, filename) {
  const rel = path.relative(root, filename).split(path.sep).join('/');
  if (rel.startsWith('../') || path.isAbsolute(rel)) return null;
  const parts = rel.split('/');
  // Test support folders (apps/<app>/src/testing, libs/<lib>/src/testing) are left out of the
  // build like spec files, and may use what tests use.
  const isTest = TEST_FILE.test(rel) || TEST_SUPPORT.test(rel);
  if (parts[0] === 'libs' && parts.length > 2) {
    const lib = parts[1];
    const libType = Object.hasOwn(LIBS, lib) ? LIBS[lib] : undefined;
    return {
      unit: `libs/${lib}`,
      lib,
      known: libType !== undefined,
      type: isTest ? 'testing' : libType,
    };
  }
  if (parts[0] === 'apps' && parts.length > 2) {
    return { unit: `apps/${parts[1]}`, lib: null, known: true, type: isTest ? 'testing' : 'app' };
  }
  if (parts.length > 1) {
    return { unit: parts[0], lib: null, known: true, type: isTest ? 'testing' : 'tooling' };
  }
  return null;
}

/** @type {import('eslint').Rule.RuleModule} */
export const importBoundaries = {
  meta: {
    type: 'problem',
    docs: {
      description:
        "Enforce Steward's lib boundaries: `@steward/<lib>` as the only door, dependency direction.",
    },
    schema: [
      {
        type: 'object',
        properties: { root: { type: 'string' } },
        additionalProperties: false,
      },
    ],
    messages: {
      unknownLib:
        "'{{unit}}' is not a known lib. Classify it in tools/lint/import-boundaries.mjs (LIBS).",
      unknownAlias:
        "'{{source}}' names no known lib. Known: {{known}} (tools/lint/import-boundaries.mjs).",
      deepImport:
        "'{{source}}' reaches inside a lib. Import '@steward/{{lib}}' (its index.ts) and export what you need from there.",
      selfAlias:
        "'{{source}}' is this lib's own alias. Inside a lib, use relative imports; the alias goes through index.ts and makes a cycle.",
      leavesUnitToLib:
        "'{{source}}' leaves {{unit}} by a relative path. Import '@steward/{{lib}}' instead.",
      leavesUnitToApp:
        "'{{source}}' leaves {{unit}} into {{target}}. Apps are not imported; move shared code to a lib (libs/runtime for composition).",
      leavesUnit:
        "'{{source}}' leaves {{unit}} by a relative path. Import other libs only as '@steward/<lib>'.",
      testingOnly:
        "'@steward/testing' is for spec files and libs/testing only (it is not part of the build).",
      forbidden:
        "{{fromType}} code ({{unit}}) may not import {{toType}} lib '@steward/{{lib}}'. Allowed: {{allowed}}.",
    },
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd;
    const filename = context.physicalFilename ?? context.filename;
    const file = describeFile(root, filename);
    if (!file) return {};

    /** @param {import('estree').Node} node @param {string} source */
    function check(node, source) {
      const alias = ALIAS.exec(source);
      if (alias) {
        checkAlias(node, source, alias[1], alias[2]);
      } else if (source.startsWith('.')) {
        checkRelative(node, source);
      }
    }

    function checkAlias(node, source, lib, rest) {
      if (!Object.hasOwn(LIBS, lib)) {
        context.report({
          node,
          messageId: 'unknownAlias',
          data: { source, known: Object.keys(LIBS).join(', ') },
        });
        return;
      }
      if (rest) {
        context.report({ node, messageId: 'deepImport', data: { source, lib } });
        return;
      }
      if (file.lib === lib && file.type !== 'testing') {
        context.report({ node, messageId: 'selfAlias', data: { source } });
        return;
      }
      if (file.type === undefined) return; // unknown lib: reported once at Program
      const toType = LIBS[lib];
      const allowed =
        file.type !== 'testing' && file.lib && Object.hasOwn(LIB_ALLOWED, file.lib)
          ? LIB_ALLOWED[file.lib]
          : ALLOWED[file.type];
      if (allowed.includes(toType)) return;
      if (toType === 'testing') {
        context.report({ node, messageId: 'testingOnly' });
        return;
      }
      context.report({
        node,
        messageId: 'forbidden',
        data: {
          fromType: file.type,
          unit: file.unit,
          toType,
          lib,
          allowed: allowed.length ? allowed.join(', ') : 'no other lib',
        },
      });
    }

    function checkRelative(node, source) {
      const target = path.resolve(path.dirname(filename), source);
      const unitRoot = path.join(root, file.unit);
      if (target === unitRoot || target.startsWith(unitRoot + path.sep)) return;
      const rel = path.relative(root, target).split(path.sep);
      if (rel[0] === 'libs' && rel.length > 1) {
        context.report({
          node,
          messageId: 'leavesUnitToLib',
          data: { source, unit: file.unit, lib: rel[1] },
        });
      } else if (rel[0] === 'apps' && rel.length > 1) {
        context.report({
          node,
          messageId: 'leavesUnitToApp',
          data: { source, unit: file.unit, target: `apps/${rel[1]}` },
        });
      } else {
        context.report({ node, messageId: 'leavesUnit', data: { source, unit: file.unit } });
      }
    }

    /** @param {import('estree').Node | null | undefined} node */
    function literal(node) {
      if (!node) return undefined;
      if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
      if (node.type === 'TemplateLiteral' && node.expressions.length === 0) {
        return node.quasis[0].value.cooked ?? undefined;
      }
      // typescript-eslint: `typeof import('x')` wraps the string in a TSLiteralType
      if (node.type === 'TSLiteralType') return literal(node.literal);
      return undefined;
    }

    function visitSource(node, sourceNode) {
      const source = literal(sourceNode);
      if (source !== undefined) check(sourceNode ?? node, source);
    }

    return {
      Program(node) {
        if (!file.known) {
          context.report({
            node,
            loc: { line: 1, column: 0 },
            messageId: 'unknownLib',
            data: file,
          });
        }
      },
      ImportDeclaration: (node) => visitSource(node, node.source),
      ExportAllDeclaration: (node) => visitSource(node, node.source),
      ExportNamedDeclaration: (node) => node.source && visitSource(node, node.source),
      ImportExpression: (node) => visitSource(node, node.source),
      TSImportType: (node) => visitSource(node, node.argument),
      TSExternalModuleReference: (node) => visitSource(node, node.expression),
      CallExpression(node) {
        const callee = node.callee;
        const isRequire =
          (callee.type === 'Identifier' && callee.name === 'require') ||
          (callee.type === 'MemberExpression' &&
            callee.object.type === 'Identifier' &&
            callee.object.name === 'require' &&
            callee.property.type === 'Identifier' &&
            callee.property.name === 'resolve');
        if (isRequire && node.arguments.length > 0) visitSource(node, node.arguments[0]);
      },
    };
  },
};

/** The `steward` ESLint plugin. */
const plugin = {
  meta: { name: 'steward' },
  rules: { 'import-boundaries': importBoundaries },
};

export default plugin;
