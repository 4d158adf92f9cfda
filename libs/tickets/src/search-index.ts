import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { searchTokens } from './search-text';

/** What the index holds of a ticket: its subject and the text of its comments, as tokens. */
export interface SearchDocument {
  readonly ticketId: number;
  readonly subject: string;
  readonly body: string;
}

/** An SQL condition on the tickets alias `t`, with its named parameters. */
export interface SearchCondition {
  readonly sql: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * The full-text index of tickets (`ticket_search`), one row per ticket, on the database's own
 * engine: FTS5 on SQLite, an InnoDB FULLTEXT index on MySQL/MariaDB. Both hold the tokens of
 * `searchTokens`, never raw text, so a query reaches the engine only as quoted tokens of
 * letters and digits: no operator a user types (`+ - * " ( ) NEAR AND`) has any meaning there.
 */
export abstract class TicketSearchIndex {
  constructor(protected readonly db: Database) {}

  /** Writes (or rewrites) the rows of these tickets. */
  abstract replace(documents: readonly SearchDocument[]): Promise<void>;

  /** Takes these tickets out of the index. */
  async remove(ticketIds: readonly number[]): Promise<void> {
    if (ticketIds.length === 0) return;
    const marks = ticketIds.map(() => '?').join(', ');
    await this.db.run((m) =>
      m.query(`DELETE FROM ticket_search WHERE ${this.key} IN (${marks})`, [...ticketIds]),
    );
  }

  /** Empties the index (before a rebuild). */
  async clear(): Promise<void> {
    await this.db.run((m) => m.query('DELETE FROM ticket_search'));
  }

  /**
   * A condition that holds when the ticket's text (or only its subject) contains every one of
   * these phrases (each a list of tokens, one after the other); `name` names its parameter.
   * One match of the engine for all of them: it intersects them itself, far faster than one
   * subquery each. Never NULL, so it can be negated.
   */
  abstract contains(
    phrases: ReadonlyArray<readonly string[]>,
    within: 'text' | 'subject',
    name: string,
  ): SearchCondition;

  protected abstract readonly key: string;
}

/** SQLite: an FTS5 table whose rowid is the ticket id; every token a quoted FTS5 string. */
@Injectable()
export class Fts5TicketSearchIndex extends TicketSearchIndex {
  protected readonly key = 'rowid';

  async replace(documents: readonly SearchDocument[]): Promise<void> {
    if (documents.length === 0) return;
    await this.db.transaction(async (m) => {
      await this.remove(documents.map((d) => d.ticketId));
      for (const document of documents) {
        await m.query('INSERT INTO ticket_search (rowid, subject, body) VALUES (?, ?, ?)', [
          document.ticketId,
          searchTokens(document.subject).join(' '),
          searchTokens(document.body).join(' '),
        ]);
      }
    });
  }

  contains(
    phrases: ReadonlyArray<readonly string[]>,
    within: 'text' | 'subject',
    name: string,
  ): SearchCondition {
    // An FTS5 string holding several tokens is a phrase; tokens never contain a quote.
    const query = phrases
      .map((tokens) => `${within === 'subject' ? 'subject : ' : ''}"${tokens.join(' ')}"`)
      .join(' AND ');
    return {
      sql: `t.id IN (SELECT rowid FROM ticket_search WHERE ticket_search MATCH :${name})`,
      params: { [name]: query },
    };
  }
}

/**
 * MySQL/MariaDB: an InnoDB table with FULLTEXT indexes over the token columns. Each token is
 * stored and searched with the prefix `s_`, which puts it above InnoDB's minimum word length
 * (3) and outside its stopword list, so `hr`, `it` and two-character CJK pairs are found.
 */
@Injectable()
export class InnodbTicketSearchIndex extends TicketSearchIndex {
  protected readonly key = 'ticket_id';

  async replace(documents: readonly SearchDocument[]): Promise<void> {
    if (documents.length === 0) return;
    const rows = documents.map((d) => [d.ticketId, stored(d.subject), stored(d.body)]);
    await this.db.run((m) =>
      m.query(
        `INSERT INTO ticket_search (ticket_id, subject, body) VALUES ${rows.map(() => '(?, ?, ?)').join(', ')} ` +
          'ON DUPLICATE KEY UPDATE subject = VALUES(subject), body = VALUES(body)',
        rows.flat(),
      ),
    );
  }

  contains(
    phrases: ReadonlyArray<readonly string[]>,
    within: 'text' | 'subject',
    name: string,
  ): SearchCondition {
    const columns = within === 'subject' ? 'subject' : 'subject, body';
    // A single word needs no phrase, which InnoDB checks word positions for.
    const query = phrases
      .map((tokens) =>
        tokens.length === 1
          ? `+s_${tokens[0]}`
          : `+"${tokens.map((token) => `s_${token}`).join(' ')}"`,
      )
      .join(' ');
    return {
      sql:
        `t.id IN (SELECT ticket_id FROM ticket_search ` +
        `WHERE MATCH (${columns}) AGAINST (:${name} IN BOOLEAN MODE))`,
      params: { [name]: query },
    };
  }
}

function stored(text: string): string {
  return searchTokens(text)
    .map((token) => `s_${token}`)
    .join(' ');
}
