/** What went wrong, in terms a client can act on; the HTTP layer maps codes to statuses. */
export enum ErrorCode {
  NotFound = 'not_found',
  Invalid = 'invalid',
  Conflict = 'conflict',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  Unavailable = 'unavailable',
  Internal = 'internal',
}

/** A domain error: a code, a message fit for the client, and optional field details. */
export class StewardError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, readonly string[]>>,
  ) {
    super(message);
    this.name = 'StewardError';
  }
}
