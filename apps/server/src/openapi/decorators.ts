import { applyDecorators } from '@nestjs/common';
import { ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { ref } from './schemas';

/** What each error status means across the API (the ErrorFilter's mapping). */
const ERROR_DESCRIPTIONS = {
  400: 'The request is malformed (e.g. the body is not valid JSON)',
  401: 'Not signed in, or wrong credentials',
  403: 'Refused: no permission, a foreign Origin or a missing CSRF token',
  404: 'No such record',
  409: 'The request conflicts with the record as it is',
  413: 'The request body is too large',
  422: 'The record is invalid: `details` names each field at fault',
  429: 'Too many attempts: wait and try again',
} as const;

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/**
 * The error answers of a route. Routes that need a permission get 401 and 403 without asking
 * (openapi-document.ts); a public route that answers them (sign-in) names them here.
 */
export function ApiErrors(...statuses: ErrorStatus[]): MethodDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERROR_DESCRIPTIONS[status], schema: ref('Error') }),
    ),
  );
}

/** A record id in the path; anything but a positive integer answers 404. */
export function ApiRecordId(name: string, description: string): MethodDecorator {
  return ApiParam({ name, description, schema: { type: 'integer', format: 'int64', minimum: 1 } });
}

/** Zendesk's offset pagination: `page` and `per_page` (at most 100). */
/** Zendesk's `ids` query parameter (show_many, count_many, bulk calls): up to 100, by commas. */
export function ApiIdsQuery(
  records: string,
  options: { required?: boolean; example?: string } = {},
): MethodDecorator {
  return ApiQuery({
    name: 'ids',
    required: options.required ?? true,
    description: `Up to 100 ${records} ids, comma-separated`,
    schema: { type: 'string', example: options.example ?? '1,2,3' },
  });
}

/** Zendesk's cursor pagination parameters, offered beside `page` and `per_page`. */
export function ApiCursorPage(): MethodDecorator {
  return applyDecorators(
    ApiQuery({
      name: 'page[size]',
      required: false,
      description: 'Cursor pagination: records per page (up to 100); no count is given',
      schema: { type: 'integer', minimum: 1, maximum: 100 },
    }),
    ApiQuery({
      name: 'page[after]',
      required: false,
      description: 'Cursor pagination: the page after this cursor (`meta.after_cursor`)',
      schema: { type: 'string' },
    }),
    ApiQuery({
      name: 'page[before]',
      required: false,
      description: 'Cursor pagination: the page before this cursor (`meta.before_cursor`)',
      schema: { type: 'string' },
    }),
  );
}

export function ApiPage(): MethodDecorator {
  return applyDecorators(
    ApiQuery({
      name: 'page',
      required: false,
      description: 'The page, from 1',
      schema: { type: 'integer', minimum: 1, default: 1 },
    }),
    ApiQuery({
      name: 'per_page',
      required: false,
      description: 'Records per page; more than 100 is cut to 100',
      schema: { type: 'integer', minimum: 1, default: 100 },
    }),
  );
}
