import type { TagPage } from '@steward/tickets';
import {
  flag,
  invalidField,
  isObject,
  own,
  pageLinks,
  textList,
  type PageLinks,
  type PageRequest,
} from '../http/request-body';

/** One tag of `GET /api/v2/tags`: its name and how many tickets carry it. */
export interface ZendeskTagCount {
  name: string;
  count: number;
}

export interface TagListDto extends PageLinks {
  tags: ZendeskTagCount[];
}

/** `{"tags": [...]}`: a ticket's tags, or tag names offered by autocompletion. */
export interface TagNamesDto {
  tags: string[];
}

/** A tag change's body: `{"tags": [...]}`, with Zendesk's optional safe update. */
export interface TagChangeBody {
  readonly tags: string[];
  readonly updatedStamp?: Date;
}

export function toTagList(page: TagPage, request: PageRequest, url: string): TagListDto {
  return {
    tags: page.tags.map((tag) => ({ name: tag.name, count: tag.count })),
    ...pageLinks(url, request, page.count),
  };
}

export function tagChangeBody(body: unknown): TagChangeBody {
  if (!isObject(body)) throw invalidField('tags', 'is required: send {"tags": ["vpn"]}');
  const tags = textList(body, 'tags');
  if (tags === undefined) throw invalidField('tags', 'is required: send {"tags": ["vpn"]}');
  // Zendesk's clients send safe_update as true or "true".
  const rawSafe = own(body, 'safe_update');
  const safeUpdate = rawSafe === 'true' || (rawSafe !== 'false' && flag(body, 'safe_update'));
  if (!safeUpdate) return { tags };
  const stamp = own(body, 'updated_stamp');
  const date = typeof stamp === 'string' ? new Date(stamp) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw invalidField('updated_stamp', 'is required with safe_update: an ISO 8601 time');
  }
  return { tags, updatedStamp: date };
}
