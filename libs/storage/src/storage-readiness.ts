import { randomBytes } from 'node:crypto';
import type { BlobOwner, BlobStore } from './blob-store';
import { errorMessage } from '@steward/platform';
import { storageProblem } from './storage-problem';

/** The owner of the short-lived blobs the readiness probe writes. */
export const PROBE_OWNER: BlobOwner = { type: 'storage-probe', id: 'readiness' };

/**
 * Writes a small blob, reads it back and deletes it; throws an Error saying what is wrong with
 * the storage directory when any step fails.
 */
export async function probeStorage(blobs: BlobStore, dir: string): Promise<void> {
  const sample = randomBytes(32);
  let id: string | undefined;
  try {
    id = (await blobs.put(PROBE_OWNER, sample)).id;
    const back = await blobs.read(id, PROBE_OWNER);
    if (!back.equals(sample))
      throw new Error('the probe blob read back differs from what was written');
    await blobs.delete(id);
    id = undefined;
  } catch (error) {
    const problem = await storageProblem(dir).catch(() => undefined);
    const failure = errorMessage(error);
    throw new Error(
      `cannot write, read back and delete a probe blob in ${dir}: ${failure}${problem ? `; ${problem}` : ''}`,
    );
  } finally {
    if (id !== undefined) await blobs.delete(id).catch(() => undefined);
  }
}
