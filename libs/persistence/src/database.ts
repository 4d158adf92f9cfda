import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';

/** The manager of the running unit of work; a transaction also collects after-commit callbacks. */
interface UnitOfWork {
  readonly manager: EntityManager;
  readonly afterCommit?: Array<() => void>;
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
    const scoped = () =>
      this.dataSource.transaction((manager) =>
        this.current.run({ manager, afterCommit }, () => work(manager)),
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
