import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyEncryptionKey, Keyring } from '@steward/platform';
import type { BlobOwner } from './blob-store';
import { BlobIntegrityError } from './blob.errors';

/*
 * The on-disk format of one blob (version 1).
 *
 * Payload file `<id>`: the plaintext cut into chunks of `chunkSize` bytes (the last one may be
 * shorter, and is empty only for an empty blob), each stored as AES-256-GCM ciphertext followed by
 * its 16-byte tag. Chunk i is encrypted under the blob's own random data key (DEK) with the nonce
 * `baseNonce XOR i` and the additional data (owner type, owner id, blob id, chunk size, i, final?),
 * so a chunk cannot be altered, moved, dropped or read as another record's.
 *
 * Key file `<id>.key`: JSON naming the key-encryption key (KEK) that wraps the DEK, the wrapped DEK
 * with its nonce and tag (AAD: blob id and KEK id), and the payload's chunk size and base nonce.
 * Rotation rewrites only this file.
 */

export const ENVELOPE_VERSION = 1;
export const ENVELOPE_ALG = 'A256GCM';
export const TAG_BYTES = 16;
export const NONCE_BYTES = 12;
export const DEK_BYTES = 32;
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
export const MIN_CHUNK_SIZE = 1024;
export const MAX_CHUNK_SIZE = 8 * 1024 * 1024;
/** Chunks per blob; the chunk index is a 32-bit counter in the nonce and never wraps. */
export const MAX_CHUNKS = 2 ** 32;

const CIPHER = 'aes-256-gcm';
const BLOB_ID = /^[0-9a-f]{32}$/;

/** A fresh blob id: 128 random bits in lowercase hex, safe in URLs and file names. */
export function newBlobId(): string {
  return randomBytes(16).toString('hex');
}

export function isBlobId(id: unknown): id is string {
  return typeof id === 'string' && BLOB_ID.test(id);
}

/** The secrets a blob's payload is encrypted with. */
export interface BlobKey {
  readonly dek: Buffer;
  readonly baseNonce: Buffer;
  readonly chunkSize: number;
}

/** The JSON content of a key file. */
export interface KeyFile {
  readonly v: typeof ENVELOPE_VERSION;
  readonly alg: typeof ENVELOPE_ALG;
  /** The KEK that wraps the data key. */
  readonly kekId: string;
  /** The data key encrypted under the KEK, base64. */
  readonly wrappedDek: string;
  /** Nonce and tag of that wrapping, base64. */
  readonly nonce: string;
  readonly tag: string;
  /** Payload layout: plaintext bytes per chunk, and the base nonce chunk nonces derive from. */
  readonly chunkSize: number;
  readonly baseNonce: string;
}

export function newBlobKey(chunkSize: number): BlobKey {
  return { dek: randomBytes(DEK_BYTES), baseNonce: randomBytes(NONCE_BYTES), chunkSize };
}

export function assertChunkSize(chunkSize: number): void {
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    throw new RangeError(
      `blob chunk size must be an integer from ${MIN_CHUNK_SIZE} to ${MAX_CHUNK_SIZE} bytes, got ${chunkSize}`,
    );
  }
}

export function assertOwner(owner: BlobOwner): void {
  if (typeof owner?.type !== 'string' || owner.type === '') {
    throw new TypeError('blob owner needs a non-empty type');
  }
  if (typeof owner.id !== 'string' || owner.id === '') {
    throw new TypeError('blob owner needs a non-empty id');
  }
}

/** Wraps the blob's data key with `kek`. */
export function sealKeyFile(blobId: string, key: BlobKey, kek: KeyEncryptionKey): KeyFile {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(CIPHER, kek.key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(wrapAad(blobId, kek.id));
  const wrapped = Buffer.concat([cipher.update(key.dek), cipher.final()]);
  return {
    v: ENVELOPE_VERSION,
    alg: ENVELOPE_ALG,
    kekId: kek.id,
    wrappedDek: wrapped.toString('base64'),
    nonce: nonce.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    chunkSize: key.chunkSize,
    baseNonce: key.baseNonce.toString('base64'),
  };
}

/** Unwraps the blob's data key with whichever key of `keyring` the key file names. */
export function openKeyFile(blobId: string, file: KeyFile, keyring: Keyring): BlobKey {
  if (!keyring.has(file.kekId)) {
    throw new BlobIntegrityError(
      blobId,
      'unknown-key',
      `its data key is wrapped by key-encryption key ${file.kekId}, which the keyring does not hold`,
    );
  }
  const kek = keyring.get(file.kekId);
  const decipher = createDecipheriv(CIPHER, kek.key, Buffer.from(file.nonce, 'base64'), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(wrapAad(blobId, kek.id));
  decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
  const dek = decipher.update(Buffer.from(file.wrappedDek, 'base64'));
  try {
    decipher.final();
  } catch {
    dek.fill(0);
    throw new BlobIntegrityError(
      blobId,
      'key-unwrap',
      `its data key does not unwrap with key-encryption key ${kek.id} (key file altered or moved)`,
    );
  }
  return { dek, baseNonce: Buffer.from(file.baseNonce, 'base64'), chunkSize: file.chunkSize };
}

/** The same key file with its data key wrapped by `keyring`'s current key. */
export function rewrapKeyFile(blobId: string, file: KeyFile, keyring: Keyring): KeyFile {
  const key = openKeyFile(blobId, file, keyring);
  try {
    return sealKeyFile(blobId, key, keyring.current);
  } finally {
    key.dek.fill(0);
  }
}

export function serializeKeyFile(file: KeyFile): string {
  return `${JSON.stringify(file)}\n`;
}

/** Parses and checks a key file; anything unexpected is a BlobIntegrityError. */
export function parseKeyFile(blobId: string, text: string): KeyFile {
  const malformed = (why: string): BlobIntegrityError =>
    new BlobIntegrityError(blobId, 'malformed', `its key file ${why}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed('is not JSON');
  }
  if (typeof value !== 'object' || value === null) throw malformed('is not a JSON object');
  const file = value as Record<string, unknown>;
  if (file.v !== ENVELOPE_VERSION) throw malformed(`has unknown version ${String(file.v)}`);
  if (file.alg !== ENVELOPE_ALG) throw malformed(`names unknown algorithm ${String(file.alg)}`);
  if (typeof file.kekId !== 'string' || file.kekId === '') throw malformed('names no key');
  const chunkSize = file.chunkSize;
  if (
    typeof chunkSize !== 'number' ||
    !Number.isInteger(chunkSize) ||
    chunkSize < MIN_CHUNK_SIZE ||
    chunkSize > MAX_CHUNK_SIZE
  ) {
    throw malformed('has an invalid chunk size');
  }
  const fields: Record<'wrappedDek' | 'nonce' | 'tag' | 'baseNonce', number> = {
    wrappedDek: DEK_BYTES,
    nonce: NONCE_BYTES,
    tag: TAG_BYTES,
    baseNonce: NONCE_BYTES,
  };
  for (const [name, bytes] of Object.entries(fields)) {
    const field = file[name];
    if (typeof field !== 'string' || Buffer.from(field, 'base64').length !== bytes) {
      throw malformed(`has an invalid ${name}`);
    }
  }
  return {
    v: ENVELOPE_VERSION,
    alg: ENVELOPE_ALG,
    kekId: file.kekId,
    wrappedDek: file.wrappedDek as string,
    nonce: file.nonce as string,
    tag: file.tag as string,
    chunkSize,
    baseNonce: file.baseNonce as string,
  };
}

/** Chunk `index` of a blob as stored: ciphertext followed by its tag. */
export function encryptChunk(
  key: BlobKey,
  owner: BlobOwner,
  blobId: string,
  index: number,
  final: boolean,
  plaintext: Buffer,
): Buffer {
  if (plaintext.length > key.chunkSize) throw new RangeError('chunk larger than the chunk size');
  if (!final && plaintext.length !== key.chunkSize)
    throw new RangeError('short chunk before the end');
  const cipher = createCipheriv(CIPHER, key.dek, chunkNonce(key.baseNonce, index), {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(chunkAad(owner, blobId, key.chunkSize, index, final));
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/**
 * The plaintext of stored chunk `index`, returned only once its tag has verified; throws
 * BlobIntegrityError otherwise (and the unverified plaintext is wiped, never returned).
 */
export function decryptChunk(
  key: BlobKey,
  owner: BlobOwner,
  blobId: string,
  index: number,
  final: boolean,
  stored: Buffer,
): Buffer {
  if (stored.length < TAG_BYTES || stored.length > key.chunkSize + TAG_BYTES) {
    throw new BlobIntegrityError(blobId, 'truncated', `chunk ${index} has an impossible length`);
  }
  const body = stored.subarray(0, stored.length - TAG_BYTES);
  const decipher = createDecipheriv(CIPHER, key.dek, chunkNonce(key.baseNonce, index), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(chunkAad(owner, blobId, key.chunkSize, index, final));
  decipher.setAuthTag(stored.subarray(stored.length - TAG_BYTES));
  const plaintext = decipher.update(body);
  try {
    decipher.final();
  } catch {
    plaintext.fill(0);
    throw new BlobIntegrityError(
      blobId,
      'authentication',
      `chunk ${index} failed authentication (altered, reordered, cut short, or read as the wrong owner)`,
    );
  }
  return plaintext;
}

/** Nonce of chunk `index`: the base nonce with the index XORed into its last four bytes. */
export function chunkNonce(baseNonce: Buffer, index: number): Buffer {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_CHUNKS) {
    throw new RangeError(`chunk index ${index} out of range`);
  }
  const nonce = Buffer.from(baseNonce);
  nonce.writeUInt32BE((nonce.readUInt32BE(NONCE_BYTES - 4) ^ index) >>> 0, NONCE_BYTES - 4);
  return nonce;
}

/** Additional data of chunk `index`: every field length-prefixed, so no two tuples collide. */
export function chunkAad(
  owner: BlobOwner,
  blobId: string,
  chunkSize: number,
  index: number,
  final: boolean,
): Buffer {
  return frame([
    'steward.blob.chunk',
    String(ENVELOPE_VERSION),
    owner.type,
    owner.id,
    blobId,
    String(chunkSize),
    String(index),
    final ? 'final' : 'more',
  ]);
}

function wrapAad(blobId: string, kekId: string): Buffer {
  return frame(['steward.blob.dek', String(ENVELOPE_VERSION), blobId, kekId]);
}

function frame(fields: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const field of fields) {
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

/**
 * Cuts a byte stream into chunks of exactly `size` bytes but the last, which is marked final
 * (and is empty only when the whole stream is). Holds at most one chunk plus one input piece.
 */
export async function* rechunk(
  source: AsyncIterable<Buffer>,
  size: number,
): AsyncGenerator<{ readonly data: Buffer; readonly final: boolean }> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const piece of source) {
    if (piece.length === 0) continue;
    pending = pending.length === 0 ? piece : Buffer.concat([pending, piece]);
    while (pending.length > size) {
      yield { data: pending.subarray(0, size), final: false };
      pending = pending.subarray(size);
    }
  }
  yield { data: pending, final: true };
}
