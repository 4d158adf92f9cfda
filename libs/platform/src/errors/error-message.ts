/**
 * The message of anything thrown. Structural rather than `instanceof Error`, because errors from
 * node:fs may come from another realm (as under jest).
 */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String(error.message);
  }
  return String(error);
}

/** The errno code of a failed system call (`ENOENT`, `EACCES`, …), if it is one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
