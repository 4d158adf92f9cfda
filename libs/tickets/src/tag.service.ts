import { Injectable } from '@nestjs/common';
import type { UserEntity } from '@steward/identity';
import { type TagCount, TagRepository } from './tag.repository';
import { MAX_TAG_LENGTH } from './ticket-rules';
import { TicketError } from './ticket.errors';
import { type TicketActor, TicketService } from './ticket.service';

/** How many names a tag autocompletion offers. */
export const TAG_SUGGESTIONS = 15;

export interface TagPage {
  readonly tags: readonly TagCount[];
  /** How many different tags there are in all. */
  readonly count: number;
}

/** How a tag change names the tags: all of them, some to add, or some to remove. */
export type TagChange = 'set' | 'add' | 'remove';

/**
 * Tags (Zendesk's Tags API). The lists count and offer only the tags of the tickets the caller
 * may see (their TicketScope: an admin's is every ticket outside confidential groups they are
 * not in), so a tag never tells of a ticket the caller cannot see. A ticket's tags change
 * through TicketService.update, so every change is checked, audited and evented like any other.
 */
@Injectable()
export class TagService {
  constructor(
    private readonly tickets: TicketService,
    private readonly tags: TagRepository,
  ) {}

  /** The most used tags first, one page. */
  async popular(
    user: Readonly<UserEntity>,
    window: { offset: number; perPage: number },
  ): Promise<TagPage> {
    const scope = await this.tickets.scopeOf(user);
    const [tags, count] = await Promise.all([
      this.tags.popular(scope, window.offset, window.perPage),
      this.tags.distinctCount(scope),
    ]);
    return { tags, count };
  }

  /** Tags starting with `name` (at least 2 characters), for autocompletion. */
  async autocomplete(user: Readonly<UserEntity>, name: unknown): Promise<string[]> {
    if (typeof name !== 'string' || [...name.trim()].length < 2) {
      throw TicketError.invalid('name', 'needs at least 2 characters: ?name=vp');
    }
    const prefix = name.trim().normalize('NFC').toLowerCase();
    if ([...prefix].length > MAX_TAG_LENGTH) return [];
    return this.tags.startingWith(await this.tickets.scopeOf(user), prefix, TAG_SUGGESTIONS);
  }

  async ofTicket(id: number, user: Readonly<UserEntity>): Promise<readonly string[]> {
    return (await this.tickets.show(id, user)).tags;
  }

  /** Sets, adds or removes tags; `updatedStamp` is Zendesk's safe update. The tags after. */
  async change(
    id: number,
    change: TagChange,
    tags: readonly string[],
    actor: TicketActor,
    updatedStamp?: Date,
  ): Promise<readonly string[]> {
    const input =
      change === 'set'
        ? { tags }
        : change === 'add'
          ? { additionalTags: tags }
          : { removeTags: tags };
    return (await this.tickets.update(id, { ...input, updatedStamp }, actor)).tags;
  }
}
