import { randomBytes } from 'node:crypto';

export interface KeyEncryptionKey {
  readonly id: string;
  readonly key: Buffer;
  readonly createdAt: string;
}

/**
 * The key-encryption keys (KEKs) of this installation. The newest one wraps new data keys;
 * older ones stay available to unwrap data keys until they have been re-wrapped.
 */
export class Keyring {
  private readonly byId: ReadonlyMap<string, KeyEncryptionKey>;

  constructor(
    readonly keys: readonly KeyEncryptionKey[],
    readonly currentId: string,
  ) {
    this.byId = new Map(keys.map((k) => [k.id, k]));
    if (!this.byId.has(currentId)) throw new Error(`keyring: current key ${currentId} is missing`);
    for (const k of keys) {
      if (k.key.length !== 32) throw new Error(`keyring: key ${k.id} is not 256 bits`);
    }
  }

  get current(): KeyEncryptionKey {
    return this.get(this.currentId);
  }

  get(id: string): KeyEncryptionKey {
    const key = this.byId.get(id);
    if (!key) throw new Error(`keyring: no key-encryption key with id ${id}`);
    return key;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** A new keyring whose current key is a freshly generated one. */
  withNewKey(now: Date = new Date()): Keyring {
    const key = newKey(now);
    return new Keyring([...this.keys, key], key.id);
  }

  /** A new keyring without the given keys (never the current one). */
  without(ids: readonly string[]): Keyring {
    if (ids.includes(this.currentId)) throw new Error('keyring: the current key cannot be retired');
    return new Keyring(
      this.keys.filter((k) => !ids.includes(k.id)),
      this.currentId,
    );
  }

  static generate(now: Date = new Date()): Keyring {
    const key = newKey(now);
    return new Keyring([key], key.id);
  }
}

function newKey(now: Date): KeyEncryptionKey {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  const id = `kek-${day}-${randomBytes(4).toString('hex')}`;
  return { id, key: randomBytes(32), createdAt: now.toISOString() };
}
