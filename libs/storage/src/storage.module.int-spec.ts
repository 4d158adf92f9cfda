import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { pino } from 'pino';
import { Keyring, PlatformModule, Readiness, loadConfig } from '@steward/platform';
import type { StewardConfig } from '@steward/platform';
import { BlobStore } from './blob-store';
import { LocalEncryptedBlobStore } from './local-encrypted-blob-store';
import { StorageModule } from './storage.module';

let dir: string;
let config: StewardConfig;
let app: INestApplicationContext | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steward-storage-module-'));
  config = loadConfig({ env: { STEWARD_DATA_DIR: join(dir, 'data') }, cwd: dir });
});

afterEach(async () => {
  await app?.close();
  app = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function start(): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      PlatformModule.forRoot({
        config,
        secrets: { sessionSecret: 'test', keyring: Keyring.generate() },
        logger: pino({ level: 'silent' }),
      }),
      StorageModule,
    ],
  }).compile();
  app = await moduleRef.init();
  return app;
}

describe('StorageModule', () => {
  it('creates the storage directory 0700 and provides an encrypted store on it', async () => {
    const context = await start();
    expect((await stat(config.storageDir)).mode & 0o777).toBe(0o700);
    const blobs = context.get(BlobStore);
    expect(blobs).toBeInstanceOf(LocalEncryptedBlobStore);
    expect((blobs as LocalEncryptedBlobStore).directory).toBe(config.storageDir);
    const owner = { type: 'attachment', id: '1' };
    const { id } = await blobs.put(owner, Buffer.from('hello'));
    await expect(blobs.read(id, owner)).resolves.toEqual(Buffer.from('hello'));
  });

  it('reports storage ready after a probe that leaves no blob behind', async () => {
    const context = await start();
    const report = await context.get(Readiness).report();
    expect(report.checks.storage).toEqual({ status: 'up' });
    const entries = await readdir(config.storageDir, { recursive: true, withFileTypes: true });
    expect(entries.filter((e) => e.isFile())).toEqual([]);
    expect(await context.get(BlobStore).keyIdsInUse()).toEqual(new Set());
  });

  it('reports storage not ready, saying why, when the directory cannot be written', async () => {
    const context = await start();
    await rm(config.storageDir, { recursive: true });
    await writeFile(config.storageDir, 'not a directory');
    const report = await context.get(Readiness).report();
    expect(report.ready).toBe(false);
    expect(report.checks.storage?.status).toBe('down');
    expect(report.checks.storage?.message).toContain(
      `storage directory ${config.storageDir} is not a directory`,
    );
  });

  it('refuses to start when the storage directory cannot be created', async () => {
    await writeFile(join(dir, 'data'), 'a file where the data directory should be');
    await expect(start()).rejects.toThrow(
      `storage directory ${config.storageDir} does not exist and cannot be created`,
    );
  });
});
