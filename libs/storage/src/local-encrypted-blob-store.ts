import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { Keyring } from '@steward/platform';
import {
  DEFAULT_CHUNK_SIZE,
  MAX_CHUNKS,
  TAG_BYTES,
  assertChunkSize,
  assertOwner,
  decryptChunk,
  encryptChunk,
  isBlobId,
  newBlobId,
  newBlobKey,
  openKeyFile,
  parseKeyFile,
  rechunk,
  rewrapKeyFile,
  sealKeyFile,
  serializeKeyFile,
} from './blob-envelope';
import type { BlobKey } from './blob-envelope';
import { BlobStore } from './blob-store';
import type { BlobOwner, RewrapResult, StoredBlob } from './blob-store';
import { BlobIntegrityError, BlobNotFoundError } from './blob.errors';
import { errorCode } from '@steward/platform';

export const STORAGE_DIRECTORY_MODE = 0o700;
export const STORAGE_FILE_MODE = 0o600;

const KEY_FILE = /^([0-9a-f]{32})\.key$/;
const FAN_OUT = /^[0-9a-f]{2}$/;

export interface LocalEncryptedBlobStoreOptions {
  /** Plaintext bytes per chunk of new blobs (existing blobs keep theirs); 64 KiB by default. */
  readonly chunkSize?: number;
}

/**
 * Blobs on local disk, envelope-encrypted (AES-256-GCM, one data key per blob, wrapped by the
 * keyring's current key). Blob `abcd…` lives in `<dir>/ab/cd/abcd…` with its key file
 * `<dir>/ab/cd/abcd….key`; directories are 0700 and files 0600. Files are written to a temporary
 * name, synced and renamed into place, so no partial blob is ever visible.
 */
export class LocalEncryptedBlobStore extends BlobStore {
  private readonly chunkSize: number;

  constructor(
    readonly directory: string,
    private readonly keyring: Keyring,
    options: LocalEncryptedBlobStoreOptions = {},
  ) {
    super();
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    assertChunkSize(this.chunkSize);
  }

  /** Creates the storage directory (0700) when it is missing. */
  async ensureDirectory(): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: STORAGE_DIRECTORY_MODE });
  }

  async put(owner: BlobOwner, data: Buffer | Readable): Promise<StoredBlob> {
    assertOwner(owner);
    const id = newBlobId();
    const paths = this.paths(id);
    const key = newBlobKey(this.chunkSize);
    const temp = temporaryName(paths.payload);
    let size = 0;
    let stage: 'writing' | 'keyed' | 'visible' = 'writing';
    try {
      const keyFile = sealKeyFile(id, key, this.keyring.current);
      await this.makeBlobDirectory(paths.dir);
      const handle = await open(temp, 'wx', STORAGE_FILE_MODE);
      try {
        let index = 0;
        for await (const chunk of rechunk(bytesOf(data), key.chunkSize)) {
          if (index >= MAX_CHUNKS) throw new RangeError('blob too large for its chunk size');
          await writeAll(handle, encryptChunk(key, owner, id, index, chunk.final, chunk.data));
          size += chunk.data.length;
          index += 1;
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      // The key file goes first: a payload under its final name always has its key beside it.
      await writeFileAtomically(paths.keyFile, serializeKeyFile(keyFile), false);
      stage = 'keyed';
      await rename(temp, paths.payload);
      stage = 'visible';
      await syncDirectory(paths.dir);
    } catch (error) {
      // Undo in the reverse order, so a payload is never left without its key file.
      await rm(stage === 'visible' ? paths.payload : temp, { force: true });
      if (stage !== 'writing') await rm(paths.keyFile, { force: true });
      throw error;
    } finally {
      key.dek.fill(0);
    }
    return { id, size };
  }

  async read(id: string, owner: BlobOwner): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of this.plaintextChunks(id, owner)) parts.push(part);
    return Buffer.concat(parts);
  }

  stream(id: string, owner: BlobOwner): Readable {
    return Readable.from(this.plaintextChunks(id, owner), { objectMode: false });
  }

  async delete(id: string): Promise<void> {
    if (!isBlobId(id)) return;
    const paths = this.paths(id);
    // Payload first, so a key file never goes missing from beneath a visible payload.
    await rm(paths.payload, { force: true });
    await rm(paths.keyFile, { force: true });
    try {
      await syncDirectory(paths.dir);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  async exists(id: string): Promise<boolean> {
    if (!isBlobId(id)) return false;
    try {
      return (await stat(this.paths(id).payload)).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async rewrap(keyring: Keyring): Promise<RewrapResult> {
    let rewrapped = 0;
    let unchanged = 0;
    for await (const { id, path } of this.keyFiles()) {
      const text = await readIfPresent(path);
      if (text === undefined) continue; // deleted meanwhile
      const file = parseKeyFile(id, text);
      if (file.kekId === keyring.currentId) {
        unchanged += 1;
        continue;
      }
      await writeFileAtomically(path, serializeKeyFile(rewrapKeyFile(id, file, keyring)), true);
      rewrapped += 1;
    }
    return { rewrapped, unchanged };
  }

  async keyIdsInUse(): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const { id, path } of this.keyFiles()) {
      const text = await readIfPresent(path);
      if (text !== undefined) ids.add(parseKeyFile(id, text).kekId);
    }
    return ids;
  }

  /**
   * The blob's plaintext, one verified chunk at a time. Reads one chunk ahead of the consumer at
   * most, so memory stays bounded by the chunk size whatever the blob's size.
   */
  private async *plaintextChunks(id: string, owner: BlobOwner): AsyncGenerator<Buffer> {
    assertOwner(owner);
    if (!isBlobId(id)) throw new BlobNotFoundError(id);
    const paths = this.paths(id);
    const key = await this.openKey(id, paths);
    try {
      let handle: FileHandle;
      try {
        handle = await open(paths.payload, 'r');
      } catch (error) {
        if (isMissing(error)) throw new BlobNotFoundError(id);
        throw error;
      }
      try {
        yield* decryptPayload(handle, key, owner, id);
      } finally {
        await handle.close();
      }
    } finally {
      key.dek.fill(0);
    }
  }

  private async openKey(id: string, paths: BlobPaths): Promise<BlobKey> {
    const text = await readIfPresent(paths.keyFile);
    if (text === undefined) {
      if (await this.exists(id)) {
        throw new BlobIntegrityError(id, 'key-missing', 'its key file is missing');
      }
      throw new BlobNotFoundError(id);
    }
    return openKeyFile(id, parseKeyFile(id, text), this.keyring);
  }

  /** Every key file under the directory, by walking the two fan-out levels. */
  private async *keyFiles(): AsyncGenerator<{ readonly id: string; readonly path: string }> {
    for (const first of await subdirectories(this.directory)) {
      const firstDir = join(this.directory, first);
      for (const second of await subdirectories(firstDir)) {
        const dir = join(firstDir, second);
        for (const name of await namesIn(dir)) {
          const id = KEY_FILE.exec(name)?.[1];
          if (id !== undefined && id.startsWith(first + second))
            yield { id, path: join(dir, name) };
        }
      }
    }
  }

  private paths(id: string): BlobPaths {
    const dir = join(this.directory, id.slice(0, 2), id.slice(2, 4));
    return { dir, payload: join(dir, id), keyFile: join(dir, `${id}.key`) };
  }

  /** Creates the blob's fan-out directories (0700) and makes their entries durable. */
  private async makeBlobDirectory(dir: string): Promise<void> {
    const created = await mkdir(dir, { recursive: true, mode: STORAGE_DIRECTORY_MODE });
    if (created === undefined) return;
    const stop = dirname(created);
    for (let parent = dir; parent !== stop && parent !== dirname(parent);) {
      parent = dirname(parent);
      await syncDirectory(parent);
    }
  }
}

interface BlobPaths {
  readonly dir: string;
  readonly payload: string;
  readonly keyFile: string;
}

async function* decryptPayload(
  handle: FileHandle,
  key: BlobKey,
  owner: BlobOwner,
  id: string,
): AsyncGenerator<Buffer> {
  const { size } = await handle.stat();
  const recordSize = key.chunkSize + TAG_BYTES;
  const count = Math.ceil(size / recordSize);
  const lastSize = size - (count - 1) * recordSize;
  if (count === 0 || lastSize < TAG_BYTES) {
    throw new BlobIntegrityError(id, 'truncated', `its payload of ${size} bytes is cut short`);
  }
  const buffer = Buffer.allocUnsafe(recordSize);
  for (let index = 0; index < count; index += 1) {
    const final = index === count - 1;
    const length = final ? lastSize : recordSize;
    await readExactly(handle, buffer, length, index * recordSize, id);
    yield decryptChunk(key, owner, id, index, final, buffer.subarray(0, length));
  }
}

async function* bytesOf(data: Buffer | Readable): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(data)) {
    yield data;
    return;
  }
  for await (const piece of data as AsyncIterable<unknown>) {
    if (Buffer.isBuffer(piece)) yield piece;
    else if (typeof piece === 'string') yield Buffer.from(piece, 'utf8');
    else if (piece instanceof Uint8Array)
      yield Buffer.from(piece.buffer, piece.byteOffset, piece.length);
    else throw new TypeError('blob data must be a stream of bytes');
  }
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

async function readExactly(
  handle: FileHandle,
  buffer: Buffer,
  length: number,
  position: number,
  id: string,
): Promise<void> {
  let offset = 0;
  while (offset < length) {
    const { bytesRead } = await handle.read(buffer, offset, length - offset, position + offset);
    if (bytesRead === 0) {
      throw new BlobIntegrityError(id, 'truncated', 'its payload ended while being read');
    }
    offset += bytesRead;
  }
}

/** Replaces `path` with `content` via a synced temporary file (0600) and a rename. */
async function writeFileAtomically(path: string, content: string, syncDir: boolean): Promise<void> {
  const temp = temporaryName(path);
  try {
    const handle = await open(temp, 'wx', STORAGE_FILE_MODE);
    try {
      await writeAll(handle, Buffer.from(content, 'utf8'));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  if (syncDir) await syncDirectory(dirname(path));
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function temporaryName(path: string): string {
  return `${path}.${randomBytes(6).toString('hex')}.tmp`;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function subdirectories(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory() && FAN_OUT.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  return errorCode(error) === 'ENOENT';
}
