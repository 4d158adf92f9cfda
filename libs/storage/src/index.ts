export { BlobStore } from './blob-store';
export type { BlobOwner, RewrapResult, StoredBlob } from './blob-store';
export { BlobIntegrityError, BlobNotFoundError } from './blob.errors';
export type { BlobIntegrityProblem } from './blob.errors';
export { LocalEncryptedBlobStore } from './local-encrypted-blob-store';
export type { LocalEncryptedBlobStoreOptions } from './local-encrypted-blob-store';
export { storageProblem } from './storage-problem';
export { StorageModule } from './storage.module';
