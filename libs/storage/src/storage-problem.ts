import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { access, open, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorCode, errorMessage } from '@steward/platform';

/**
 * What is wrong with a storage directory, in words an administrator can act on (with the command
 * that fixes it), or undefined when it is usable: it exists (or can be created), is a directory,
 * this process can write to it, and only its owner can enter it (mode 0700).
 */
export async function storageProblem(dir: string): Promise<string | undefined> {
  let info: Stats | undefined;
  try {
    info = await stat(dir);
  } catch (error) {
    if (!isAbsent(error)) return `storage directory ${dir} cannot be inspected: ${reason(error)}`;
  }
  if (info === undefined) return creationProblem(dir);
  if (!info.isDirectory()) {
    return `storage directory ${dir} is not a directory; move that file away or set STEWARD_STORAGE_DIR to a directory`;
  }
  const problems: string[] = [];
  const writeFailure = await writeFailureIn(dir);
  if (writeFailure !== undefined) {
    problems.push(
      `storage directory ${dir} is not writable by this process (${processOwner()}): ${writeFailure}; run: chown ${ownerIds()} ${dir} && chmod 700 ${dir}`,
    );
  }
  const mode = info.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    problems.push(
      `storage directory ${dir} is open to group or others (mode ${octal(mode)}, should be 0700); run: chmod 700 ${dir}`,
    );
  }
  return problems.length === 0 ? undefined : problems.join('; ');
}

/** Why a missing directory cannot be created, judged from its nearest existing ancestor. */
async function creationProblem(dir: string): Promise<string | undefined> {
  let ancestor = dirname(dir);
  for (;;) {
    try {
      const info = await stat(ancestor);
      if (!info.isDirectory()) {
        return `storage directory ${dir} does not exist and cannot be created: ${ancestor} is not a directory; set STEWARD_STORAGE_DIR to a path under a directory`;
      }
      break;
    } catch (error) {
      if (!isAbsent(error) || ancestor === dirname(ancestor)) {
        return `storage directory ${dir} does not exist and cannot be created: ${ancestor}: ${reason(error)}`;
      }
      ancestor = dirname(ancestor);
    }
  }
  try {
    await access(ancestor, constants.W_OK | constants.X_OK);
  } catch (error) {
    return `storage directory ${dir} does not exist and cannot be created: ${ancestor} is not writable by this process (${processOwner()}): ${reason(error)}; create it with: mkdir -p ${dir} && chown ${ownerIds()} ${dir} && chmod 700 ${dir}`;
  }
  return undefined;
}

/** Writes, syncs and removes a small file in `dir`; the failure, if any. */
async function writeFailureIn(dir: string): Promise<string | undefined> {
  const probe = join(dir, `.steward-write-probe-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(probe, 'wx', 0o600);
    try {
      await handle.writeFile('probe');
      await handle.sync();
    } finally {
      await handle.close();
    }
    return undefined;
  } catch (error) {
    return reason(error);
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}

function processOwner(): string {
  const uid = process.getuid?.();
  return uid === undefined ? 'this user' : `uid ${uid}`;
}

function ownerIds(): string {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  return uid === undefined || gid === undefined
    ? '<service user>:<service group>'
    : `${uid}:${gid}`;
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

/** The path does not exist: it is missing, or a file stands where one of its directories should. */
function isAbsent(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function reason(error: unknown): string {
  return errorCode(error) ?? errorMessage(error);
}
