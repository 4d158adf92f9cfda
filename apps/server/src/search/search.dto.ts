import type { SearchPage } from '@steward/tickets';
import { pageLinks, type PageLinks, type PageRequest } from '../http/request-body';
import { toZendeskTicket, type ZendeskTicket } from '../tickets/ticket.dto';
import { toZendeskUser, type ZendeskUser } from '../users/user.dto';

/** A search hit: the record as its own API shows it, plus what kind of record it is. */
export type ZendeskSearchResult =
  (ZendeskTicket & { result_type: 'ticket' }) | (ZendeskUser & { result_type: 'user' });

/** Zendesk's search response; Steward computes no facets. */
export interface SearchResultsDto extends PageLinks {
  results: ZendeskSearchResult[];
  facets: null;
}

export interface SearchCountDto {
  count: number;
}

export function toSearchResults(
  page: SearchPage,
  defaultGroupIds: ReadonlyMap<number, number>,
  request: PageRequest,
  publicUrl: string,
  extra: string,
): SearchResultsDto {
  return {
    results: page.results.map((result) =>
      result.type === 'ticket'
        ? { ...toZendeskTicket(result.ticket, publicUrl), result_type: 'ticket' as const }
        : {
            ...toZendeskUser(result.user, publicUrl, defaultGroupIds.get(result.user.id) ?? null),
            result_type: 'user' as const,
          },
    ),
    facets: null,
    ...pageLinks(`${publicUrl}/api/v2/search.json`, request, page.count, extra),
  };
}
