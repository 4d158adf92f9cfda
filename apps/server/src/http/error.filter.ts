import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { uniqueViolation } from '@steward/persistence';
import { ErrorCode, StewardError } from '@steward/platform';
import type { Request, Response } from 'express';

/** An error body in the Zendesk API v2 shape: `{"error": "...", "description": "..."}`. */
export interface ErrorBody {
  error: string;
  description?: string;
  details?: Record<string, { description: string }[]>;
  request_id?: string;
}

const BY_CODE: Record<ErrorCode, { status: number; error: string }> = {
  [ErrorCode.NotFound]: { status: HttpStatus.NOT_FOUND, error: 'RecordNotFound' },
  [ErrorCode.Invalid]: { status: HttpStatus.UNPROCESSABLE_ENTITY, error: 'RecordInvalid' },
  [ErrorCode.Conflict]: { status: HttpStatus.CONFLICT, error: 'RecordInvalid' },
  [ErrorCode.Unauthenticated]: {
    status: HttpStatus.UNAUTHORIZED,
    error: "Couldn't authenticate you",
  },
  [ErrorCode.Forbidden]: { status: HttpStatus.FORBIDDEN, error: 'Forbidden' },
  [ErrorCode.Unavailable]: { status: HttpStatus.SERVICE_UNAVAILABLE, error: 'ServiceUnavailable' },
  [ErrorCode.Internal]: { status: HttpStatus.INTERNAL_SERVER_ERROR, error: 'InternalError' },
};

const BY_STATUS: Record<number, string> = {
  400: 'InvalidRequest',
  401: "Couldn't authenticate you",
  403: 'Forbidden',
  404: 'RecordNotFound',
  405: 'MethodNotAllowed',
  413: 'RequestTooLarge',
  415: 'UnsupportedMediaType',
  422: 'RecordInvalid',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
};

/** Errors raised by Express's body parser before any controller runs. */
interface BodyParserError {
  type: string;
  status: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const candidate = error as Partial<BodyParserError> | null;
  return (
    typeof candidate?.type === 'string' &&
    candidate.type.startsWith('entity.') &&
    typeof candidate.status === 'number'
  );
}

/** Maps every error to a status and a Zendesk-style body; unknown errors become a logged 500. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: unknown }>();
    const response = http.getResponse<Response>();
    const { status, body } = this.describe(error, typeof request.id === 'string' ? request.id : '');
    if (response.headersSent) return;
    response.status(status).json(body);
  }

  private describe(error: unknown, requestId: string): { status: number; body: ErrorBody } {
    if (error instanceof StewardError) {
      const mapped = BY_CODE[error.code];
      const details = error.details
        ? Object.fromEntries(
            Object.entries(error.details).map(([field, problems]) => [
              field,
              problems.map((description) => ({ description })),
            ]),
          )
        : undefined;
      return {
        status: mapped.status,
        // An empty message means the error name says it all (401: Zendesk sends only that).
        body: { error: mapped.error, description: error.message || undefined, details },
      };
    }
    // Express's body parser reports bad JSON with the parser's message, which can quote the
    // body itself; answer with a fixed description instead.
    const parserError = isBodyParserError(error)
      ? error
      : error instanceof HttpException && isBodyParserError(error.cause)
        ? error.cause
        : undefined;
    if (parserError) {
      const tooLarge = parserError.type === 'entity.too.large';
      return {
        status: parserError.status,
        body: {
          error: BY_STATUS[parserError.status] ?? 'InvalidRequest',
          description: tooLarge
            ? 'The request body is too large'
            : 'The request body is not valid JSON',
        },
      };
    }
    // Two requests that both passed a service's "is it free?" check meet the unique index.
    if (uniqueViolation(error) !== undefined) {
      return {
        status: HttpStatus.UNPROCESSABLE_ENTITY,
        body: {
          error: 'RecordInvalid',
          description: 'Record validation errors',
          details: {
            base: [{ description: 'a record with the same unique value already exists' }],
          },
        },
      };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const response = error.getResponse();
      const description =
        typeof response === 'string'
          ? response
          : typeof (response as { message?: unknown }).message === 'string'
            ? (response as { message: string }).message
            : error.message;
      return { status, body: { error: BY_STATUS[status] ?? 'Error', description } };
    }
    this.logger.error({ err: error, requestId }, 'unhandled error');
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: {
        error: 'InternalError',
        description: 'Something went wrong on our side',
        request_id: requestId,
      },
    };
  }
}
