import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';

/** The manager of the running unit of work; a transaction also collects after-commit callbacks. */
interface UnitOfWork {
  readonly manager: EntityManager;
  readonly afterCommit?: Array<() => void>;
  /** Values collected during the transaction and written just before it commits. */
  readonly beforeCommit?: Map<symbol, Collected>;
}

/**
 * The order in which collections (`Database.collect`) are written before a commit, for every
 * feature in one place, so that the locks they take are always taken in the same order.
 * Counters first; the audit chain's head, which every audited change waits for, last.
 */
export const BEFORE_COMMIT = { counters: 10, auditChain: 100 } as const;

interface Collected {
  readonly value: unknown;
  readonly order: number;
  readonly write: () => Promise<void>;
}

/**
 * The way repositories reach the database. On MySQL/MariaDB it is a thin layer over the pool.
 * On SQLite, TypeORM shares one connection (and one query runner) between all callers, so a
 * statement issued while another flow has a transaction open would silently run inside that
 * transaction; here every unit of work takes the connection in turn. Calls nested inside a
 * unit (a repository used by a service's transaction) join it instead of waiting.
 */
export class Database {
  private readonly serial: boolean;
  private readonly current = new AsyncLocalStorage<UnitOfWork>();
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly dataSource: DataSource) {
    this.serial = dataSource.options.type === 'better-sqlite3';
  }

  /** Runs reads or single writes; inside a transaction, with the transaction's manager. */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const joined = this.current.getStore();
    if (joined) return work(joined.manager);
    const manager = this.dataSource.manager;
    const scoped = () => this.current.run({ manager }, () => work(manager));
    return this.serial ? this.exclusively(scoped) : scoped();
  }

  /** Runs `work` in one transaction; nested calls join the outer transaction. */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const joined = this.current.getStore();
    if (joined?.afterCommit && joined.manager.queryRunner?.isTransactionActive) {
      return work(joined.manager);
    }
    const afterCommit: Array<() => void> = [];
    const beforeCommit = new Map<symbol, Collected>();
    const scoped = () =>
      this.dataSource.transaction((manager) =>
        this.current.run({ manager, afterCommit, beforeCommit }, async () => {
          const result = await work(manager);
          const collected = [...beforeCommit.values()].sort((a, b) => a.order - b.order);
          for (const { write } of collected) await write();
          return result;
        }),
      );
    const result = await (joined || !this.serial ? scoped() : this.exclusively(scoped));
    // Committed: the callbacks run as units of their own, after the connection is released.
    for (const callback of afterCommit) this.current.exit(callback);
    return result;
  }

  /**
   * Calls `callback` once the current transaction has committed, and never if it rolls back;
   * outside a transaction, at once. Side effects of a change (domain events, jobs that read the
   * new rows) go here, so that nobody acts on a change that did not happen.
   */
  afterCommit(callback: () => void): void {
    const unit = this.current.getStore();
    if (unit?.afterCommit && unit.manager.queryRunner?.isTransactionActive) {
      unit.afterCommit.push(callback);
    } else {
      this.current.exit(callback);
    }
  }

  /**
   * A value the current transaction collects under `key` (made by `create` the first time),
   * written by `write` once the transaction's work is done, just before it commits; undefined
   * outside a transaction. A hot row that many transactions change (a counter, the head of a
   * chain) is then locked only for the commit, not for the whole transaction. Collections are
   * written by ascending `order`, the same in every transaction, so that two transactions never
   * wait on each other's locks in a circle: give each key one fixed order.
   */
  collect<T>(
    key: symbol,
    order: number,
    create: () => T,
    write: (value: T) => Promise<void>,
  ): T | undefined {
    const unit = this.current.getStore();
    if (!unit?.beforeCommit || !unit.manager.queryRunner?.isTransactionActive) return undefined;
    const existing = unit.beforeCommit.get(key);
    if (existing) return existing.value as T;
    const value = create();
    unit.beforeCommit.set(key, { value, order, write: () => write(value) });
    return value;
  }

  private async exclusively<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }
}
