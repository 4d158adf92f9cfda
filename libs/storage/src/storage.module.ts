import { Global, Inject, Logger, Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { Keyring, Readiness, STEWARD_CONFIG } from '@steward/platform';
import type { StewardConfig } from '@steward/platform';
import { BlobStore } from './blob-store';
import { LocalEncryptedBlobStore } from './local-encrypted-blob-store';
import { errorMessage } from '@steward/platform';
import { storageProblem } from './storage-problem';
import { probeStorage } from './storage-readiness';

const logger = new Logger('StorageModule');

/** Opens the blob store on `config.storageDir`, creating the directory (0700) when missing. */
async function openBlobStore(config: StewardConfig, keyring: Keyring): Promise<BlobStore> {
  const store = new LocalEncryptedBlobStore(config.storageDir, keyring);
  try {
    await store.ensureDirectory();
  } catch (error) {
    const problem = await storageProblem(config.storageDir);
    const failure = errorMessage(error);
    throw new Error(problem ?? `cannot create storage directory ${config.storageDir}: ${failure}`);
  }
  const problem = await storageProblem(config.storageDir);
  if (problem !== undefined) logger.warn(problem);
  return store;
}

/**
 * Provides `BlobStore` (encrypted local disk under `STEWARD_STORAGE_DIR`) to every module, and the
 * `storage` readiness probe. Needs PlatformModule for the configuration and the keyring.
 */
@Global()
@Module({
  providers: [{ provide: BlobStore, inject: [STEWARD_CONFIG, Keyring], useFactory: openBlobStore }],
  exports: [BlobStore],
})
export class StorageModule implements OnModuleInit {
  constructor(
    @Inject(STEWARD_CONFIG) private readonly config: StewardConfig,
    private readonly readiness: Readiness,
    private readonly blobs: BlobStore,
  ) {}

  onModuleInit(): void {
    this.readiness.register('storage', () => probeStorage(this.blobs, this.config.storageDir));
  }
}
