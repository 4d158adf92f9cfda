import type { Readable } from 'node:stream';
import type { Keyring } from '@steward/platform';

/**
 * The record a blob belongs to, e.g. `{ type: 'attachment', id: '42' }`. It is bound into the
 * authenticated data of every chunk, so a blob reads back only as the record it was stored for.
 */
export interface BlobOwner {
  readonly type: string;
  readonly id: string;
}

export interface StoredBlob {
  /** Generated, random and url-safe; the only name the blob has in storage. */
  readonly id: string;
  /** Plaintext size in bytes. */
  readonly size: number;
}

export interface RewrapResult {
  /** Blobs whose data key now is wrapped by the keyring's current key. */
  readonly rewrapped: number;
  /** Blobs whose data key already was. */
  readonly unchanged: number;
}

/**
 * Where attachments, raw mail and exports are kept, encrypted at rest. The port every feature
 * injects; the adapter decides where the bytes live.
 */
export abstract class BlobStore {
  /** Stores the bytes for `owner`; the blob becomes visible only once it is complete. */
  abstract put(owner: BlobOwner, data: Buffer | Readable): Promise<StoredBlob>;

  /** The whole blob; rejects with BlobNotFoundError or BlobIntegrityError. */
  abstract read(id: string, owner: BlobOwner): Promise<Buffer>;

  /**
   * The blob as a stream, authenticated chunk by chunk: a chunk's plaintext is emitted only after
   * its tag has verified, and the stream fails with BlobIntegrityError at the first one that
   * does not (or with BlobNotFoundError).
   */
  abstract stream(id: string, owner: BlobOwner): Readable;

  /** Removes the blob; deleting one that does not exist succeeds. */
  abstract delete(id: string): Promise<void>;

  abstract exists(id: string): Promise<boolean>;

  /**
   * Re-wraps every blob's data key with `keyring`'s current key-encryption key, unwrapping with
   * whichever of its keys wrapped it. Payloads are not rewritten.
   */
  abstract rewrap(keyring: Keyring): Promise<RewrapResult>;

  /** The ids of the key-encryption keys that wrap at least one stored data key. */
  abstract keyIdsInUse(): Promise<Set<string>>;
}
