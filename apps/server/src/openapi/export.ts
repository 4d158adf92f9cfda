import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createLogger, ensureSecrets, loadConfig } from '@steward/platform';
import { runMain, StartupError } from '@steward/runtime';
import { createServer } from '../create-server';
import {
  buildOpenApiDocument,
  EXPORTED_PUBLIC_URL,
  jsonDifferences,
  packageRoot,
  serializeOpenApi,
} from './openapi-document';

/** At most this many differences are listed; the rest are counted. */
const SHOWN = 25;

/**
 * `npm run openapi:export` writes docs/openapi.json; `npm run openapi:check` (`--check`) fails,
 * naming what differs, when the file is not what the code generates. The document is built from
 * the server's own application, created (not listening) on the embedded shape in a temporary
 * data directory, so neither the caller's configuration nor a database of theirs is used.
 */
async function generate(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'steward-openapi-'));
  try {
    const config = loadConfig({
      env: { STEWARD_DATA_DIR: dataDir, STEWARD_PUBLIC_URL: EXPORTED_PUBLIC_URL },
      cwd: dataDir,
    });
    const { secrets } = ensureSecrets(config.secretsFile);
    const app = await createServer({ config, secrets, logger: createLogger('warn') });
    try {
      return serializeOpenApi(buildOpenApiDocument(app, config.publicUrl));
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

runMain('steward-openapi', async () => {
  const check = process.argv.includes('--check');
  const file = join(packageRoot(), 'docs', 'openapi.json');
  const name = relative(process.cwd(), file) || file;
  const generated = await generate();
  if (!check) {
    writeFileSync(file, generated);
    process.stdout.write(`wrote ${name}\n`);
    return;
  }
  const current = readOrNull(file);
  if (current === generated) {
    process.stdout.write(`${name} is up to date\n`);
    return;
  }
  if (current === null) {
    throw new StartupError(`${name} is missing: run npm run openapi:export`);
  }
  let differences: string[];
  try {
    differences = jsonDifferences(JSON.parse(current), JSON.parse(generated));
  } catch {
    throw new StartupError(`${name} is not valid JSON: run npm run openapi:export`);
  }
  if (differences.length === 0) differences = ['(formatting only)'];
  const more = differences.length > SHOWN ? [`… and ${differences.length - SHOWN} more`] : [];
  throw new StartupError(
    [
      `${name} differs from the API the code describes; run npm run openapi:export and commit it.`,
      'Differences (JSON pointers):',
      ...[...differences.slice(0, SHOWN), ...more].map((line) => `  ${line}`),
    ].join('\n'),
  );
});
