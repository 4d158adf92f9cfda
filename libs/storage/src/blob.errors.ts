import { ErrorCode, StewardError } from '@steward/platform';

/** Why a stored blob could not be trusted. */
export type BlobIntegrityProblem =
  /** A chunk's GCM tag did not verify: tampered, reordered, cut short, or the wrong owner. */
  | 'authentication'
  /** The payload file is shorter than any valid encryption of a blob. */
  | 'truncated'
  /** The data key did not unwrap: the key file was tampered with or moved to another blob. */
  | 'key-unwrap'
  /** The key file names a key-encryption key that the keyring does not hold. */
  | 'unknown-key'
  /** The payload exists but its key file does not. */
  | 'key-missing'
  /** The key file is not a key file this version understands. */
  | 'malformed';

/**
 * A blob failed an integrity check. It carries the blob id and what failed, never any plaintext;
 * no byte of the chunk that failed is ever handed to the caller.
 */
export class BlobIntegrityError extends StewardError {
  constructor(
    readonly blobId: string,
    readonly problem: BlobIntegrityProblem,
    detail: string,
  ) {
    super(ErrorCode.Internal, `blob ${blobId} failed its integrity check: ${detail}`);
    this.name = 'BlobIntegrityError';
  }
}

/** No blob is stored under the id (it was never written, or it was deleted). */
export class BlobNotFoundError extends StewardError {
  constructor(readonly blobId: string) {
    super(ErrorCode.NotFound, `no blob is stored with id ${printable(blobId)}`);
    this.name = 'BlobNotFoundError';
  }
}

/** An id as it may safely appear in a message: quoted and cut short when it is not a blob id. */
function printable(id: string): string {
  return /^[0-9a-f]{32}$/.test(id) ? id : JSON.stringify(id.slice(0, 64));
}
