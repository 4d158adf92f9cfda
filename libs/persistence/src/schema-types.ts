import type { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Column definitions for migrations that mean the same on SQLite and MySQL/MariaDB. Entities
 * declare the matching types (see `timestampColumn`), so the drift check stays empty.
 */
export class PortableColumns {
  constructor(private readonly runner: QueryRunner) {}

  get mysql(): boolean {
    const type = this.runner.connection.options.type;
    return type === 'mysql' || type === 'mariadb';
  }

  /** An auto-increment integer primary key (entities: `@PrimaryGeneratedColumn({ type: 'integer' })`). */
  id(name = 'id'): TableColumnOptions {
    return {
      name,
      type: 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    };
  }

  /** A reference to another table's id. */
  reference(name: string, nullable = false): TableColumnOptions {
    return { name, type: 'integer', isNullable: nullable };
  }

  string(name: string, length: number, nullable = false): TableColumnOptions {
    return { name, type: 'varchar', length: String(length), isNullable: nullable };
  }

  text(name: string, nullable = true): TableColumnOptions {
    return { name, type: this.mysql ? 'mediumtext' : 'text', isNullable: nullable };
  }

  integer(name: string, defaultValue?: number): TableColumnOptions {
    return { name, type: this.mysql ? 'int' : 'integer', isNullable: false, default: defaultValue };
  }

  boolean(name: string, defaultValue: boolean): TableColumnOptions {
    return { name, type: 'boolean', isNullable: false, default: defaultValue ? 1 : 0 };
  }

  /** A UTC timestamp with millisecond precision. */
  timestamp(name: string, nullable = false): TableColumnOptions {
    return { name, type: 'datetime', precision: 3, isNullable: nullable };
  }
}
