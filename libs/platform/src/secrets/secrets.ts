import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Keyring } from './keyring';
import { looseModeProblem, writeSecureFile } from './secure-file';

/** The local secrets of an installation, kept in one owner-only file. */
export interface Secrets {
  readonly sessionSecret: string;
  readonly keyring: Keyring;
}

interface SecretsFileContent {
  version: 1;
  sessionSecret: string;
  keyring: { current: string; keys: { id: string; key: string; createdAt: string }[] };
}

export class SecretsError extends Error {
  override name = 'SecretsError';
}

function serialise(secrets: Secrets): string {
  const content: SecretsFileContent = {
    version: 1,
    sessionSecret: secrets.sessionSecret,
    keyring: {
      current: secrets.keyring.currentId,
      keys: secrets.keyring.keys.map((k) => ({
        id: k.id,
        key: k.key.toString('base64'),
        createdAt: k.createdAt,
      })),
    },
  };
  return `${JSON.stringify(content, null, 2)}\n`;
}

function parse(path: string, text: string): Secrets {
  let content: SecretsFileContent;
  try {
    content = JSON.parse(text) as SecretsFileContent;
  } catch {
    throw new SecretsError(`${path} is not valid JSON`);
  }
  if (content.version !== 1 || typeof content.sessionSecret !== 'string' || !content.keyring) {
    throw new SecretsError(`${path} is not a Steward secrets file (version 1)`);
  }
  try {
    const keys = content.keyring.keys.map((k) => ({
      id: k.id,
      key: Buffer.from(k.key, 'base64'),
      createdAt: k.createdAt,
    }));
    return {
      sessionSecret: content.sessionSecret,
      keyring: new Keyring(keys, content.keyring.current),
    };
  } catch (error) {
    throw new SecretsError(`${path}: ${(error as Error).message}`);
  }
}

/** Reads the secrets file, refusing one that group or others can read. */
export function readSecrets(path: string): Secrets {
  if (!existsSync(path))
    throw new SecretsError(`${path} does not exist; start the server once or run steward doctor`);
  const problem = looseModeProblem(path);
  if (problem) throw new SecretsError(problem);
  return parse(path, readFileSync(path, 'utf8'));
}

/** Reads the secrets file, generating it (mode 0600) with fresh secrets when it is missing. */
export function ensureSecrets(path: string): { secrets: Secrets; created: boolean } {
  if (existsSync(path)) return { secrets: readSecrets(path), created: false };
  const secrets: Secrets = {
    sessionSecret: randomBytes(32).toString('base64url'),
    keyring: Keyring.generate(),
  };
  writeSecureFile(path, serialise(secrets));
  return { secrets, created: true };
}

/** Replaces the secrets file atomically. */
export function writeSecrets(path: string, secrets: Secrets): void {
  writeSecureFile(path, serialise(secrets));
}
