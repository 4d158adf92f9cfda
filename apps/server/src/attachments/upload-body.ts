import type { RequestHandler } from 'express';
import { raw } from 'express';

/** The routes whose body is a file's raw bytes. */
export const UPLOAD_PATHS = ['/api/v2/uploads.json', '/api/v2/uploads'];

/**
 * Reads an upload's body as bytes, whatever its Content-Type (the client's type is never
 * trusted: attachments sniff it), up to `limit` bytes; a larger body answers 413 through the
 * ErrorFilter. Registered before the JSON parser, so a file sent as `application/json` is
 * stored as it is, not parsed.
 */
export function uploadBodyParser(limit: number): RequestHandler {
  const parse = raw({ type: () => true, limit });
  return (request, response, next) => {
    if (request.method !== 'POST') {
      next();
      return;
    }
    parse(request, response, next);
  };
}
