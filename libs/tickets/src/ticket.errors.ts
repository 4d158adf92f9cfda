import { ErrorCode, StewardError } from '@steward/platform';

/** Zendesk's description of a 422; the details name each field and its problem. */
const RECORD_INVALID = 'Record validation errors';

/**
 * A ticket the caller may not see is "not found", never "forbidden": a caller must not learn
 * that a ticket they cannot see exists.
 */
export class TicketError extends StewardError {
  static invalid(field: string, problem: string): TicketError {
    return new TicketError(ErrorCode.Invalid, RECORD_INVALID, { [field]: [problem] });
  }

  static notFound(): TicketError {
    return new TicketError(ErrorCode.NotFound, 'Not found');
  }

  static forbidden(message: string): TicketError {
    return new TicketError(ErrorCode.Forbidden, message);
  }
}
