import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storageProblem } from './storage-problem';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steward-storage-problem-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('storageProblem', () => {
  it('finds nothing wrong with a writable 0700 directory, and leaves no probe file', async () => {
    const storage = join(dir, 'storage');
    await mkdir(storage, { mode: 0o700 });
    await expect(storageProblem(storage)).resolves.toBeUndefined();
    await expect(stat(storage).then((s) => s.nlink)).resolves.toBe(2);
  });

  it('finds nothing wrong with a missing directory that can be created, and does not create it', async () => {
    const storage = join(dir, 'not', 'yet', 'storage');
    await expect(storageProblem(storage)).resolves.toBeUndefined();
    await expect(stat(join(dir, 'not'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports a directory open to group and others, with the chmod that fixes it', async () => {
    const storage = join(dir, 'storage');
    await mkdir(storage);
    await chmod(storage, 0o777);
    await expect(storageProblem(storage)).resolves.toBe(
      `storage directory ${storage} is open to group or others (mode 0777, should be 0700); run: chmod 700 ${storage}`,
    );
  });

  it('reports a directory that cannot be created because its parent is a file', async () => {
    const file = join(dir, 'plain-file');
    await writeFile(file, 'not a directory');
    const storage = join(file, 'storage');
    const problem = await storageProblem(storage);
    expect(problem).toContain(`storage directory ${storage} does not exist and cannot be created`);
    expect(problem).toContain(`${file} is not a directory`);
  });

  it('reports a storage path that is a file', async () => {
    const storage = join(dir, 'storage');
    await writeFile(storage, 'oops');
    await expect(storageProblem(storage)).resolves.toContain(
      `storage directory ${storage} is not a directory`,
    );
  });
});
