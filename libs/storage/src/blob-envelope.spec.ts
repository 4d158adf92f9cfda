import { randomBytes } from 'node:crypto';
import { Keyring } from '@steward/platform';
import {
  DEFAULT_CHUNK_SIZE,
  TAG_BYTES,
  chunkAad,
  chunkNonce,
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
import type { BlobOwner } from './blob-store';
import { BlobIntegrityError } from './blob.errors';

const owner: BlobOwner = { type: 'attachment', id: '42' };
const size = 1024;

async function chunksOf(pieces: readonly Buffer[], chunkSize: number) {
  async function* source(): AsyncGenerator<Buffer> {
    await Promise.resolve();
    yield* pieces;
  }
  const out: { data: Buffer; final: boolean }[] = [];
  for await (const chunk of rechunk(source(), chunkSize)) {
    out.push({ data: Buffer.from(chunk.data), final: chunk.final });
  }
  return out;
}

function integrityProblem(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof BlobIntegrityError) return error.problem;
    throw error;
  }
  return undefined;
}

describe('rechunk', () => {
  it('cuts a stream into full chunks and marks only the last one final', async () => {
    const input = randomBytes(3 * size + 17);
    const pieces = [input.subarray(0, 5), input.subarray(5, 2000), input.subarray(2000)];
    const chunks = await chunksOf(pieces, size);
    expect(chunks.map((c) => c.data.length)).toEqual([size, size, size, 17]);
    expect(chunks.map((c) => c.final)).toEqual([false, false, false, true]);
    expect(Buffer.concat(chunks.map((c) => c.data))).toEqual(input);
  });

  it('adds no empty chunk when the length is a multiple of the chunk size', async () => {
    const chunks = await chunksOf([randomBytes(2 * size)], size);
    expect(chunks.map((c) => [c.data.length, c.final])).toEqual([
      [size, false],
      [size, true],
    ]);
  });

  it('yields one empty final chunk for an empty stream', async () => {
    const chunks = await chunksOf([Buffer.alloc(0)], size);
    expect(chunks).toEqual([{ data: Buffer.alloc(0), final: true }]);
  });
});

describe('chunk nonces and additional data', () => {
  it('gives every chunk index its own nonce, starting from the base nonce', () => {
    const base = randomBytes(12);
    expect(chunkNonce(base, 0)).toEqual(base);
    const nonces = new Set<string>();
    for (let i = 0; i < 5000; i += 1) nonces.add(chunkNonce(base, i).toString('hex'));
    nonces.add(chunkNonce(base, 2 ** 32 - 1).toString('hex'));
    expect(nonces.size).toBe(5001);
  });

  it('refuses a chunk index the nonce counter cannot hold', () => {
    expect(() => chunkNonce(randomBytes(12), 2 ** 32)).toThrow(RangeError);
  });

  it('never lets two different owners share additional data', () => {
    const a = chunkAad({ type: 'a|b', id: 'c' }, 'id', size, 0, false);
    const b = chunkAad({ type: 'a', id: 'b|c' }, 'id', size, 0, false);
    expect(a.equals(b)).toBe(false);
  });
});

describe('chunk encryption', () => {
  const id = newBlobId();
  const key = newBlobKey(size);
  const plaintext = randomBytes(size);
  const stored = encryptChunk(key, owner, id, 3, false, plaintext);

  it('stores ciphertext and a 16-byte tag, and decrypts it back', () => {
    expect(stored.length).toBe(size + TAG_BYTES);
    expect(stored.subarray(0, size).equals(plaintext)).toBe(false);
    expect(decryptChunk(key, owner, id, 3, false, stored)).toEqual(plaintext);
  });

  it.each([
    ['another owner id', { ...owner, id: '43' }, id, 3, false],
    ['another owner type', { ...owner, type: 'comment' }, id, 3, false],
    ['another blob id', owner, newBlobId(), 3, false],
    ['another position', owner, id, 4, false],
    ['a final flag it was not written with', owner, id, 3, true],
  ])('rejects the chunk when read as %s', (_name, asOwner, asId, index, final) => {
    expect(integrityProblem(() => decryptChunk(key, asOwner, asId, index, final, stored))).toBe(
      'authentication',
    );
  });

  it('rejects a chunk with one flipped bit in its ciphertext or its tag', () => {
    for (const position of [0, size - 1, size, size + TAG_BYTES - 1]) {
      const altered = Buffer.from(stored);
      altered[position] ^= 0x01;
      expect(integrityProblem(() => decryptChunk(key, owner, id, 3, false, altered))).toBe(
        'authentication',
      );
    }
  });

  it('rejects a chunk too short to hold a tag', () => {
    expect(
      integrityProblem(() => decryptChunk(key, owner, id, 3, true, stored.subarray(0, 15))),
    ).toBe('truncated');
  });
});

describe('key files', () => {
  const keyring = Keyring.generate();
  const id = newBlobId();
  const key = newBlobKey(DEFAULT_CHUNK_SIZE);
  const file = sealKeyFile(id, key, keyring.current);

  it('wraps the data key under the current key and unwraps it again', () => {
    expect(file).toMatchObject({ v: 1, alg: 'A256GCM', kekId: keyring.currentId });
    expect(Buffer.from(file.wrappedDek, 'base64').equals(key.dek)).toBe(false);
    const opened = openKeyFile(id, parseKeyFile(id, serializeKeyFile(file)), keyring);
    expect(opened.dek).toEqual(key.dek);
    expect(opened.baseNonce).toEqual(key.baseNonce);
    expect(opened.chunkSize).toBe(DEFAULT_CHUNK_SIZE);
  });

  it('does not unwrap for another blob id (key files cannot be swapped)', () => {
    expect(integrityProblem(() => openKeyFile(newBlobId(), file, keyring))).toBe('key-unwrap');
  });

  it('does not unwrap a wrapped key with a flipped bit', () => {
    const wrapped = Buffer.from(file.wrappedDek, 'base64');
    wrapped[0] ^= 0x80;
    const altered = { ...file, wrappedDek: wrapped.toString('base64') };
    expect(integrityProblem(() => openKeyFile(id, altered, keyring))).toBe('key-unwrap');
  });

  it('names the missing key when the keyring lacks it', () => {
    expect(integrityProblem(() => openKeyFile(id, file, Keyring.generate()))).toBe('unknown-key');
  });

  it('re-wraps the same data key under the new current key', () => {
    const rotated = keyring.withNewKey();
    const rewrapped = rewrapKeyFile(id, file, rotated);
    expect(rewrapped.kekId).toBe(rotated.currentId);
    expect(rewrapped.baseNonce).toBe(file.baseNonce);
    expect(openKeyFile(id, rewrapped, rotated.without([keyring.currentId])).dek).toEqual(key.dek);
  });

  it.each([
    ['not JSON', 'nope'],
    ['another version', JSON.stringify({ ...file, v: 2 })],
    ['another algorithm', JSON.stringify({ ...file, alg: 'A128GCM' })],
    ['a wrong-sized nonce', JSON.stringify({ ...file, nonce: randomBytes(8).toString('base64') })],
    ['a silly chunk size', JSON.stringify({ ...file, chunkSize: 2 ** 30 })],
    ['no key id', JSON.stringify({ ...file, kekId: undefined })],
  ])('rejects a key file with %s', (_name, text) => {
    expect(integrityProblem(() => parseKeyFile(id, text))).toBe('malformed');
  });
});

describe('blob ids', () => {
  it('are 128 random bits in hex', () => {
    const id = newBlobId();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(newBlobId()).not.toBe(id);
  });

  it('reject anything that could be a path', () => {
    expect(isBlobId('../../etc/passwd')).toBe(false);
    expect(isBlobId(`${newBlobId()}/x`)).toBe(false);
    expect(isBlobId(newBlobId().toUpperCase())).toBe(false);
  });
});
