import { Injectable } from '@nestjs/common';
import { Database, isMysqlFamily } from '@steward/persistence';
import { type EntityManager, MoreThan, type SelectQueryBuilder } from 'typeorm';
import { AuditChainHeadEntity, CHAIN_HEAD_ID } from './audit-chain-head.entity';
import { type AuditActorType, AuditEntryEntity } from './audit-entry.entity';
import { GENESIS_HASH } from './audit-hash';

/** The end of the chain: the id and hash the next entry follows. */
export interface ChainHead {
  readonly lastId: number;
  readonly lastHash: string;
}

export interface EntrySearch {
  readonly actorType?: AuditActorType;
  readonly actorId?: string;
  readonly action?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly beforeId?: number;
}

/** The entries of one actor that still hold an IP address, a user agent or their salt. */
const HAS_NETWORK = '(e.ip IS NOT NULL OR e.user_agent IS NOT NULL OR e.network_salt IS NOT NULL)';

@Injectable()
export class AuditRepository {
  private readonly mysql: boolean;

  constructor(private readonly db: Database) {
    this.mysql = isMysqlFamily(db.dataSource);
  }

  /**
   * Appends the entries `builds` make, each for the head the one before it left, and moves the
   * head to the last, in one transaction that holds the head's lock throughout: concurrent
   * appends (other requests, other servers) wait for it, so every entry follows exactly one
   * predecessor. Joins the caller's transaction when there is one. Resolves null when the head
   * row is missing.
   */
  append(
    builds: ReadonlyArray<(head: ChainHead) => AuditEntryEntity>,
  ): Promise<AuditEntryEntity[] | null> {
    return this.db.transaction(async (manager) => {
      const head = await this.lockHead(manager);
      if (!head) return null;
      const entries: AuditEntryEntity[] = [];
      let last = head;
      for (const build of builds) {
        const entry = build(last);
        entries.push(entry);
        last = { lastId: entry.id, lastHash: entry.hash };
      }
      await manager.insert(AuditEntryEntity, entries);
      const moved = await manager
        .createQueryBuilder()
        .update(AuditChainHeadEntity)
        .set({ lastId: last.lastId, lastHash: last.lastHash })
        .where('id = :id AND last_id = :lastId', { id: CHAIN_HEAD_ID, lastId: head.lastId })
        .execute();
      if (moved.affected !== 1) throw new Error('the audit chain head moved during an append');
      return entries;
    });
  }

  private async lockHead(manager: EntityManager): Promise<ChainHead | null> {
    const query = manager
      .createQueryBuilder(AuditChainHeadEntity, 'h')
      .where('h.id = :id', { id: CHAIN_HEAD_ID });
    if (this.mysql) {
      // SELECT … FOR UPDATE: a second append (any server) blocks here until this one commits,
      // then reads the head this one wrote.
      query.setLock('pessimistic_write');
    } else {
      // SQLite has no row locks. `Database` already runs one unit of work at a time in this
      // process; writing first makes this transaction take the database's write lock before it
      // reads, so another process (a CLI command) waits on the busy timeout instead of reading
      // a head that is about to change.
      await manager
        .createQueryBuilder()
        .update(AuditChainHeadEntity)
        .set({ lastId: () => 'last_id' })
        .where('id = :id', { id: CHAIN_HEAD_ID })
        .execute();
    }
    const head = await query.getOne();
    return head ? { lastId: head.lastId, lastHash: head.lastHash } : null;
  }

  /**
   * Puts the head row back when it is missing (a database emptied by hand or by tests),
   * pointing at the last entry there is. Returns that entry's id (0 when there is none).
   */
  ensureHead(): Promise<number> {
    return this.db.run(async (manager) => {
      const [last] = await manager.find(AuditEntryEntity, {
        select: { id: true, hash: true },
        order: { id: 'DESC' },
        take: 1,
      });
      try {
        await manager
          .createQueryBuilder()
          .insert()
          .into(AuditChainHeadEntity)
          .values({
            id: CHAIN_HEAD_ID,
            lastId: last?.id ?? 0,
            lastHash: last?.hash ?? GENESIS_HASH,
          })
          .orIgnore()
          .execute();
      } catch (error) {
        // Appends racing to put the head back can deadlock on MySQL/MariaDB; the one that won
        // put it back, and that is all this needs.
        if (!(await manager.findOneBy(AuditChainHeadEntity, { id: CHAIN_HEAD_ID }))) throw error;
      }
      return last?.id ?? 0;
    });
  }

  readHead(): Promise<ChainHead | null> {
    return this.db.run(async (manager) => {
      const head = await manager.findOneBy(AuditChainHeadEntity, { id: CHAIN_HEAD_ID });
      return head ? { lastId: head.lastId, lastHash: head.lastHash } : null;
    });
  }

  /** Up to `limit` entries with ids above `afterId`, in chain order. */
  entriesAfter(afterId: number, limit: number): Promise<AuditEntryEntity[]> {
    return this.db.run((manager) =>
      manager.find(AuditEntryEntity, {
        where: { id: MoreThan(afterId) },
        order: { id: 'ASC' },
        take: limit,
      }),
    );
  }

  /** Up to `limit` entries matching every given filter, newest first. */
  search(filter: EntrySearch, limit: number): Promise<AuditEntryEntity[]> {
    return this.db.run((manager) => {
      const query = manager.createQueryBuilder(AuditEntryEntity, 'e');
      const equal = [
        ['actor_type', filter.actorType],
        ['actor_id', filter.actorId],
        ['action', filter.action],
        ['target_type', filter.targetType],
        ['target_id', filter.targetId],
      ] as const;
      for (const [column, value] of equal) {
        if (value !== undefined) query.andWhere(`e.${column} = :${column}`, { [column]: value });
      }
      if (filter.from) query.andWhere('e.occurred_at >= :from', { from: filter.from });
      if (filter.to) query.andWhere('e.occurred_at < :to', { to: filter.to });
      if (filter.beforeId !== undefined)
        query.andWhere('e.id < :beforeId', { beforeId: filter.beforeId });
      return query.orderBy('e.id', 'DESC').limit(limit).getMany();
    });
  }

  /** Entries whose actor or target is the user, in chain order. */
  findById(id: number): Promise<AuditEntryEntity | null> {
    return this.db.run((manager) => manager.findOneBy(AuditEntryEntity, { id }));
  }

  forUser(userId: string): Promise<AuditEntryEntity[]> {
    return this.db.run((manager) =>
      this.involving(manager.createQueryBuilder(AuditEntryEntity, 'e'), userId)
        .orderBy('e.id', 'ASC')
        .getMany(),
    );
  }

  countForUser(userId: string): Promise<number> {
    return this.db.run((manager) =>
      this.involving(manager.createQueryBuilder(AuditEntryEntity, 'e'), userId).getCount(),
    );
  }

  countNetworkDataOf(actorType: AuditActorType, actorId: string): Promise<number> {
    return this.db.run((manager) =>
      manager
        .createQueryBuilder(AuditEntryEntity, 'e')
        .where('e.actor_type = :actorType AND e.actor_id = :actorId', { actorType, actorId })
        .andWhere(HAS_NETWORK)
        .getCount(),
    );
  }

  /** Removes ip, user agent and their salt from the actor's entries; returns how many. */
  async eraseNetworkDataOf(actorType: AuditActorType, actorId: string): Promise<number> {
    const result = await this.db.run((manager) =>
      manager
        .createQueryBuilder()
        .update(AuditEntryEntity)
        .set({ ip: null, userAgent: null, networkSalt: null })
        .where('actor_type = :actorType AND actor_id = :actorId', { actorType, actorId })
        .andWhere(HAS_NETWORK.replaceAll('e.', ''))
        .execute(),
    );
    return result.affected ?? 0;
  }

  private involving(
    query: SelectQueryBuilder<AuditEntryEntity>,
    userId: string,
  ): SelectQueryBuilder<AuditEntryEntity> {
    return query.where(
      "(e.actor_type = 'user' AND e.actor_id = :userId) OR (e.target_type = 'user' AND e.target_id = :userId)",
      { userId },
    );
  }
}
