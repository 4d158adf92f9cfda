import {
  type ExportPage,
  type ExportPosition,
  type ExportTimePage,
  MAX_EXPORT_PAGE,
  type TicketView,
} from '@steward/tickets';
import { badParameter, isObject, own, queryParameter } from '../http/request-body';
import { toZendeskTicket, type ZendeskTicket } from './ticket.dto';

/** A ticket in an incremental export: `status` is `deleted` for a deleted ticket. */
export interface ZendeskExportedTicket extends ZendeskTicket {
  /** When the ticket last changed, in Unix seconds. */
  generated_timestamp: number;
}

/** A page of the cursor-based export (`/api/v2/incremental/tickets/cursor.json`). */
export interface IncrementalCursorPageDto {
  tickets: ZendeskExportedTicket[];
  after_url: string;
  after_cursor: string;
  before_url: null;
  before_cursor: null;
  end_of_stream: boolean;
}

/** A page of the time-based export (`/api/v2/incremental/tickets.json`). */
export interface IncrementalTimePageDto {
  tickets: ZendeskExportedTicket[];
  next_page: string;
  end_time: number;
  count: number;
  end_of_stream: boolean;
}

/** The latest time a cursor may hold: the end of year 9999, which every database stores. */
const MAX_CURSOR_TIME = 253_402_300_799_999;
const MAX_CURSOR_LENGTH = 200;

/** `per_page`: 1 or more, 1000 when absent; more than 1000 is cut to 1000. */
export function exportPerPage(query: unknown): number {
  const raw = queryParameter(query, 'per_page');
  if (raw === undefined || raw === '') return MAX_EXPORT_PAGE;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) {
    throw badParameter('per_page must be a whole number from 1 to 1000');
  }
  return Math.min(Number(raw), MAX_EXPORT_PAGE);
}

/** `start_time`: required, Unix seconds, not negative and not in the future. */
export function exportStartTime(query: unknown, now: Date): number {
  const raw = queryParameter(query, 'start_time');
  if (raw === undefined || raw === '') {
    throw badParameter('start_time is required: a Unix time in seconds, e.g. ?start_time=0');
  }
  if (!/^\d{1,12}$/.test(raw)) {
    throw badParameter('start_time must be a Unix time in seconds, 0 or later');
  }
  const startTime = Number(raw);
  if (startTime * 1000 > now.getTime()) throw badParameter('start_time is in the future');
  return startTime;
}

/** An export position as an opaque cursor: base64url of `{"t": ms, "i": id}`. */
export function encodeExportCursor(position: ExportPosition): string {
  const json = JSON.stringify({ t: position.updatedAt.getTime(), i: position.id });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** `cursor`, when given: an `after_cursor` of an earlier page, or a 400. */
export function exportCursor(query: unknown): ExportPosition | undefined {
  const raw = queryParameter(query, 'cursor');
  if (raw === undefined) return undefined;
  const position = decodeExportCursor(raw);
  if (!position) {
    throw badParameter('cursor is not valid: use the after_cursor of an earlier page');
  }
  return position;
}

function decodeExportCursor(raw: string): ExportPosition | undefined {
  if (raw.length === 0 || raw.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(raw)) {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(value) || Object.keys(value).length !== 2) return undefined;
  const time = own(value, 't');
  const id = own(value, 'i');
  if (
    typeof time !== 'number' ||
    !Number.isSafeInteger(time) ||
    time < 0 ||
    time > MAX_CURSOR_TIME ||
    typeof id !== 'number' ||
    !Number.isSafeInteger(id) ||
    id < 0
  ) {
    return undefined;
  }
  return { updatedAt: new Date(time), id };
}

export function toExportedTicket(view: TicketView, publicUrl: string): ZendeskExportedTicket {
  const { ticket } = view;
  return {
    ...toZendeskTicket(view, publicUrl),
    status: ticket.deletedAt === null ? ticket.status : 'deleted',
    generated_timestamp: Math.floor(ticket.updatedAt.getTime() / 1000),
  };
}

/** `&per_page=N` in the page links, unless it is the default. */
function perPageLink(perPage: number): string {
  return perPage === MAX_EXPORT_PAGE ? '' : `&per_page=${perPage}`;
}

export function toCursorPage(
  page: ExportPage,
  perPage: number,
  url: string,
  publicUrl: string,
): IncrementalCursorPageDto {
  const cursor = encodeExportCursor(page.after);
  return {
    tickets: page.tickets.map((view) => toExportedTicket(view, publicUrl)),
    after_url: `${url}?cursor=${cursor}${perPageLink(perPage)}`,
    after_cursor: cursor,
    before_url: null,
    before_cursor: null,
    end_of_stream: page.endOfStream,
  };
}

export function toTimePage(
  page: ExportTimePage,
  perPage: number,
  url: string,
  publicUrl: string,
): IncrementalTimePageDto {
  return {
    tickets: page.tickets.map((view) => toExportedTicket(view, publicUrl)),
    next_page: `${url}?start_time=${page.endTime}${perPageLink(perPage)}`,
    end_time: page.endTime,
    count: page.tickets.length,
    end_of_stream: page.endOfStream,
  };
}
