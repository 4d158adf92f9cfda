import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * The way repositories reach the database. On MySQL/MariaDB it is a thin layer over the pool.
 * On SQLite, TypeORM shares one connection (and one query runner) between all callers, so a
 * statement issued while another flow has a transaction open would silently run inside that
 * transaction; here every unit of work takes the connection in turn. Calls nested inside a
 * unit (a repository used by a service's transaction) join it instead of waiting.
 */
export class Database {
  private readonly serial: boolean;
  private readonly current = new AsyncLocalStorage<EntityManager>();
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly dataSource: DataSource) {
    this.serial = dataSource.options.type === 'better-sqlite3';
  }

  /** Runs reads or single writes; inside a transaction, with the transaction's manager. */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const joined = this.current.getStore();
    if (joined) return work(joined);
    const manager = this.dataSource.manager;
    const scoped = () => this.current.run(manager, () => work(manager));
    return this.serial ? this.exclusively(scoped) : scoped();
  }

  /** Runs `work` in one transaction; nested calls join the outer transaction. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const joined = this.current.getStore();
    if (joined?.queryRunner?.isTransactionActive) return work(joined);
    const scoped = () =>
      this.dataSource.transaction((manager) => this.current.run(manager, () => work(manager)));
    if (joined || !this.serial) return scoped();
    return this.exclusively(scoped);
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
