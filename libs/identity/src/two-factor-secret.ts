import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from '@steward/platform';

/*
 * A TOTP secret at rest: AES-256-GCM under the keyring's current key-encryption key, the same
 * cipher and key the blob store wraps its data keys with. Stored as base64 of nonce, ciphertext
 * and tag, with the key's id beside it, so a rotated keyring still opens older secrets. The
 * additional data binds the ciphertext to its user and key: copied to another row, it fails.
 */

const CIPHER = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedSecret {
  readonly kekId: string;
  readonly ciphertext: string;
}

export function sealTotpSecret(keyring: Keyring, userId: number, secret: string): SealedSecret {
  const kek = keyring.current;
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(CIPHER, kek.key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(userId, kek.id));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return {
    kekId: kek.id,
    ciphertext: Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64'),
  };
}

/** The secret, or undefined when the key is gone or the stored value was altered or moved. */
export function openTotpSecret(
  keyring: Keyring,
  userId: number,
  sealed: SealedSecret,
): string | undefined {
  if (!keyring.has(sealed.kekId)) return undefined;
  const bytes = Buffer.from(sealed.ciphertext, 'base64');
  if (bytes.length <= NONCE_BYTES + TAG_BYTES) return undefined;
  const decipher = createDecipheriv(
    CIPHER,
    keyring.get(sealed.kekId).key,
    bytes.subarray(0, NONCE_BYTES),
    { authTagLength: TAG_BYTES },
  );
  decipher.setAAD(additionalData(userId, sealed.kekId));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  const plain = decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES));
  try {
    decipher.final();
  } catch {
    plain.fill(0);
    return undefined;
  }
  return plain.toString('utf8');
}

function additionalData(userId: number, kekId: string): Buffer {
  return Buffer.from(JSON.stringify(['steward.two_factor.secret', 1, userId, kekId]), 'utf8');
}
