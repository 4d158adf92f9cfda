import { createHash, randomBytes } from 'node:crypto';
import {
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  truncate,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Keyring } from '@steward/platform';
import type { BlobOwner } from './blob-store';
import { BlobIntegrityError, BlobNotFoundError } from './blob.errors';
import { LocalEncryptedBlobStore } from './local-encrypted-blob-store';

const CHUNK = 64 * 1024;
const RECORD = CHUNK + 16;
const owner: BlobOwner = { type: 'attachment', id: '42' };

let dir: string;
let keyring: Keyring;
let store: LocalEncryptedBlobStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steward-storage-'));
  keyring = Keyring.generate();
  store = new LocalEncryptedBlobStore(join(dir, 'blobs'), keyring);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const payloadPath = (id: string): string =>
  join(store.directory, id.slice(0, 2), id.slice(2, 4), id);
const keyFilePath = (id: string): string => `${payloadPath(id)}.key`;

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function directoriesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return [root, ...entries.filter((e) => e.isDirectory()).map((e) => join(e.parentPath, e.name))];
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** Everything a stream emits before it ends or fails, and how it failed. */
async function drain(readable: Readable): Promise<{ data: Buffer; error: unknown }> {
  const parts: Buffer[] = [];
  try {
    for await (const part of readable) parts.push(part as Buffer);
  } catch (error) {
    return { data: Buffer.concat(parts), error };
  }
  return { data: Buffer.concat(parts), error: undefined };
}

async function flipByte(path: string, position: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[position] ^= 0x01;
  await writeFile(path, bytes);
}

/**
 * The canary as it would appear base64-encoded at any offset: one string per alignment, from
 * the first whole three-byte group.
 */
function base64Forms(text: string): string[] {
  const bytes = Buffer.from(text);
  return [0, 1, 2].map((skip) => {
    const whole = Math.floor((bytes.length - skip) / 3) * 3;
    return bytes.subarray(skip, skip + whole).toString('base64');
  });
}

describe('LocalEncryptedBlobStore on disk', () => {
  describe('confidentiality', () => {
    it('writes no plaintext, base64 or hex of the content, nor key material, to any file', async () => {
      const canary = `STEWARD-CANARY-${randomBytes(8).toString('hex')}`;
      const small = Buffer.from(`Dear help desk, my password is ${canary}. Thanks!`);
      const large = Buffer.from(canary.repeat(Math.ceil(1_048_576 / canary.length))).subarray(
        0,
        1_048_576,
      );
      const smallBlob = await store.put(owner, small);
      const largeBlob = await store.put(owner, large);
      const streamedBlob = await store.put(owner, Readable.from([large.subarray(0, 300_000)]));

      const needles = [
        Buffer.from(canary),
        Buffer.from(canary, 'utf16le'),
        Buffer.from(Buffer.from(canary).toString('hex')),
        ...base64Forms(canary).map((form) => Buffer.from(form)),
        ...base64Forms(canary).map((form) =>
          Buffer.from(form.replace(/\+/g, '-').replace(/\//g, '_')),
        ),
        keyring.current.key,
        Buffer.from(keyring.current.key.toString('base64')),
        Buffer.from(keyring.current.key.toString('hex')),
      ];
      const files = await filesUnder(store.directory);
      expect(files).toHaveLength(6);
      for (const file of files) {
        const content = await readFile(file);
        for (const needle of needles) {
          expect({ file, found: content.includes(needle) }).toEqual({ file, found: false });
        }
      }

      await expect(store.read(smallBlob.id, owner)).resolves.toEqual(small);
      await expect(store.read(largeBlob.id, owner)).resolves.toEqual(large);
      expect((await drain(store.stream(largeBlob.id, owner))).data).toEqual(large);
      await expect(store.read(streamedBlob.id, owner)).resolves.toEqual(large.subarray(0, 300_000));
    });

    it('names files by a random id, fanned out by prefix, with 0700 directories and 0600 files', async () => {
      const { id, size } = await store.put(owner, Buffer.from('hello'));
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(size).toBe(5);
      expect((await filesUnder(store.directory)).sort()).toEqual(
        [payloadPath(id), keyFilePath(id)].sort(),
      );
      for (const directory of await directoriesUnder(store.directory)) {
        expect({ directory, mode: (await stat(directory)).mode & 0o777 }).toEqual({
          directory,
          mode: 0o700,
        });
      }
      for (const file of await filesUnder(store.directory)) {
        expect({ file, mode: (await stat(file)).mode & 0o777 }).toEqual({ file, mode: 0o600 });
      }
    });

    it('writes a key file naming the current key, and a payload of ciphertext and tags only', async () => {
      const { id } = await store.put(owner, randomBytes(2 * CHUNK + 10));
      const keyFile = JSON.parse(await readFile(keyFilePath(id), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(keyFile).toMatchObject({ v: 1, alg: 'A256GCM', kekId: keyring.currentId });
      expect(Object.keys(keyFile).sort()).toEqual(
        ['alg', 'baseNonce', 'chunkSize', 'kekId', 'nonce', 'tag', 'v', 'wrappedDek'].sort(),
      );
      expect((await stat(payloadPath(id))).size).toBe(2 * CHUNK + 10 + 3 * 16);
    });
  });

  describe('integrity', () => {
    const content = randomBytes(4 * CHUNK + 1000); // five chunks, the last one short
    let id: string;

    beforeEach(async () => {
      id = (await store.put(owner, content)).id;
    });

    async function expectRejected(problem: string, released: number): Promise<void> {
      const read = await store.read(id, owner).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(read).toBeInstanceOf(BlobIntegrityError);
      expect(read).toMatchObject({ problem, blobId: id });
      const streamed = await drain(store.stream(id, owner));
      expect(streamed.error).toBeInstanceOf(BlobIntegrityError);
      // Only the chunks before the bad one are released, byte for byte.
      expect(streamed.data).toEqual(content.subarray(0, released));
    }

    it('reads the untouched blob back', async () => {
      await expect(store.read(id, owner)).resolves.toEqual(content);
    });

    it('rejects a payload with one flipped byte, releasing nothing of the bad chunk', async () => {
      await flipByte(payloadPath(id), 2 * RECORD + 100);
      await expectRejected('authentication', 2 * CHUNK);
    });

    it('rejects a payload with a flipped tag byte', async () => {
      await flipByte(payloadPath(id), RECORD - 1);
      await expectRejected('authentication', 0);
    });

    it('rejects a flipped byte in the wrapped data key of the key file', async () => {
      const file = JSON.parse(await readFile(keyFilePath(id), 'utf8')) as { wrappedDek: string };
      const wrapped = Buffer.from(file.wrappedDek, 'base64');
      wrapped[7] ^= 0x01;
      file.wrappedDek = wrapped.toString('base64');
      await writeFile(keyFilePath(id), JSON.stringify(file));
      await expectRejected('key-unwrap', 0);
    });

    it('rejects a payload whose last chunk is cut short', async () => {
      const { size } = await stat(payloadPath(id));
      await truncate(payloadPath(id), size - 1);
      await expectRejected('authentication', 4 * CHUNK);
    });

    it('rejects a payload whose last chunk is dropped whole', async () => {
      await truncate(payloadPath(id), 4 * RECORD);
      await expectRejected('authentication', 3 * CHUNK);
    });

    it('rejects a payload cut shorter than a tag', async () => {
      await truncate(payloadPath(id), 10);
      await expectRejected('truncated', 0);
    });

    it('rejects a payload with two chunks swapped', async () => {
      const bytes = await readFile(payloadPath(id));
      const first = Buffer.from(bytes.subarray(0, RECORD));
      bytes.copy(bytes, 0, RECORD, 2 * RECORD);
      first.copy(bytes, RECORD);
      await writeFile(payloadPath(id), bytes);
      await expectRejected('authentication', 0);
    });

    it('rejects a payload with a chunk repeated in place of another', async () => {
      const bytes = await readFile(payloadPath(id));
      bytes.copy(bytes, 2 * RECORD, RECORD, 2 * RECORD);
      await writeFile(payloadPath(id), bytes);
      await expectRejected('authentication', 2 * CHUNK);
    });

    it('rejects another blob copied over this one, key file and all', async () => {
      const other = await store.put(owner, randomBytes(100));
      await writeFile(payloadPath(id), await readFile(payloadPath(other.id)));
      await writeFile(keyFilePath(id), await readFile(keyFilePath(other.id)));
      await expectRejected('key-unwrap', 0);
    });

    it('rejects the blob when its key file is gone', async () => {
      await unlink(keyFilePath(id));
      await expectRejected('key-missing', 0);
    });

    it('rejects the blob when the keyring lacks the key that wraps it', async () => {
      store = new LocalEncryptedBlobStore(store.directory, Keyring.generate());
      await expectRejected('unknown-key', 0);
    });
  });

  describe('owner binding', () => {
    it.each([
      ['another record of the same type', { type: 'attachment', id: '43' }],
      ['another type with the same id', { type: 'comment', id: '42' }],
    ])('rejects reading a blob as %s', async (_name, other: BlobOwner) => {
      const { id } = await store.put(owner, randomBytes(3 * CHUNK));
      await expect(store.read(id, other)).rejects.toMatchObject({
        name: 'BlobIntegrityError',
        problem: 'authentication',
      });
      const streamed = await drain(store.stream(id, other));
      expect(streamed.error).toBeInstanceOf(BlobIntegrityError);
      expect(streamed.data.length).toBe(0);
      await expect(store.read(id, owner)).resolves.toHaveLength(3 * CHUNK);
    });
  });

  describe('key rotation', () => {
    it('re-wraps every data key under the new key without touching the payloads', async () => {
      const contents = [randomBytes(10), randomBytes(3 * CHUNK + 5), Buffer.alloc(0)];
      const ids: string[] = [];
      for (const content of contents) ids.push((await store.put(owner, content)).id);
      const before = await Promise.all(ids.map((id) => sha256(payloadPath(id))));
      const oldId = keyring.currentId;
      expect(await store.keyIdsInUse()).toEqual(new Set([oldId]));

      const rotated = keyring.withNewKey();
      await expect(store.rewrap(rotated)).resolves.toEqual({ rewrapped: 3, unchanged: 0 });

      for (const id of ids) {
        const keyFile = JSON.parse(await readFile(keyFilePath(id), 'utf8')) as { kekId: string };
        expect(keyFile.kekId).toBe(rotated.currentId);
      }
      await expect(Promise.all(ids.map((id) => sha256(payloadPath(id))))).resolves.toEqual(before);
      expect(await store.keyIdsInUse()).toEqual(new Set([rotated.currentId]));
      const retired = new LocalEncryptedBlobStore(store.directory, rotated.without([oldId]));
      for (const [i, id] of ids.entries()) {
        await expect(retired.read(id, owner)).resolves.toEqual(contents[i]);
      }
      await expect(retired.rewrap(rotated.without([oldId]))).resolves.toEqual({
        rewrapped: 0,
        unchanged: 3,
      });
      expect((await filesUnder(store.directory)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });

    it('fails the re-wrap of a blob whose key the keyring no longer holds', async () => {
      const { id } = await store.put(owner, randomBytes(10));
      const stranger = Keyring.generate();
      await expect(store.rewrap(stranger)).rejects.toMatchObject({
        name: 'BlobIntegrityError',
        problem: 'unknown-key',
        blobId: id,
      });
    });

    it('reports no keys in use for an empty store', async () => {
      expect(await store.keyIdsInUse()).toEqual(new Set());
    });
  });

  describe('streaming', () => {
    it('round-trips a 20 MB stream chunk by chunk', async () => {
      const total = 20 * 1024 * 1024;
      const written = createHash('sha256');
      let onDiskBeforeLastPiece = -1;
      async function* source(): AsyncGenerator<Buffer> {
        for (let sent = 0; sent < total;) {
          const piece = randomBytes(Math.min(100_003, total - sent));
          written.update(piece);
          sent += piece.length;
          if (sent === total) {
            const temps = (await filesUnder(store.directory)).filter((f) => f.endsWith('.tmp'));
            const sizes = await Promise.all(temps.map(async (f) => (await stat(f)).size));
            onDiskBeforeLastPiece = sizes.reduce((a, b) => a + b, 0);
          }
          yield piece;
        }
      }

      const { id, size } = await store.put(owner, Readable.from(source(), { objectMode: false }));
      expect(size).toBe(total);
      // Encrypted chunks reach the disk while the source is still producing.
      expect(onDiskBeforeLastPiece).toBeGreaterThan(total / 2);

      const readBack = createHash('sha256');
      let largest = 0;
      let pieces = 0;
      for await (const piece of store.stream(id, owner)) {
        const bytes = piece as Buffer;
        readBack.update(bytes);
        largest = Math.max(largest, bytes.length);
        pieces += 1;
      }
      expect(readBack.digest('hex')).toBe(written.digest('hex'));
      expect(largest).toBeLessThanOrEqual(CHUNK);
      expect(pieces).toBeGreaterThanOrEqual(total / CHUNK);
    });

    it('round-trips an empty blob', async () => {
      const { id, size } = await store.put(owner, Readable.from([]));
      expect(size).toBe(0);
      await expect(store.read(id, owner)).resolves.toEqual(Buffer.alloc(0));
    });

    it('leaves nothing behind when the source fails half-way', async () => {
      async function* failing(): AsyncGenerator<Buffer> {
        yield randomBytes(3 * CHUNK);
        await Promise.resolve();
        throw new Error('client went away');
      }
      await expect(store.put(owner, Readable.from(failing()))).rejects.toThrow('client went away');
      expect(await filesUnder(store.directory)).toEqual([]);
      expect(await store.keyIdsInUse()).toEqual(new Set());
    });
  });

  describe('lifecycle', () => {
    it('deletes idempotently, after which the blob is clearly not found', async () => {
      const { id } = await store.put(owner, Buffer.from('to be erased'));
      expect(await store.exists(id)).toBe(true);
      await store.delete(id);
      await store.delete(id);
      expect(await store.exists(id)).toBe(false);
      expect(await filesUnder(store.directory)).toEqual([]);
      const error = await store.read(id, owner).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BlobNotFoundError);
      expect((error as Error).message).toBe(`no blob is stored with id ${id}`);
      expect((await drain(store.stream(id, owner))).error).toBeInstanceOf(BlobNotFoundError);
    });

    it('treats an id that is not a blob id as not found, never as a path', async () => {
      const id = '../../../etc/passwd';
      await expect(store.read(id, owner)).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(store.exists(id)).resolves.toBe(false);
      await expect(store.delete(id)).resolves.toBeUndefined();
    });

    it('reports a blob that was never stored as not found', async () => {
      await expect(store.read('0123456789abcdef0123456789abcdef', owner)).rejects.toThrow(
        'no blob is stored with id 0123456789abcdef0123456789abcdef',
      );
    });
  });
});
