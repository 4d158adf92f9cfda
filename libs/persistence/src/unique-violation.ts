/**
 * When `error` is a unique-constraint violation from MySQL/MariaDB (ER_DUP_ENTRY) or SQLite
 * (SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY), the constraint text the database named (an index
 * name on MySQL, `table.column` on SQLite); otherwise undefined. Two requests that pass a
 * "name free?" check at the same moment meet here, and must get a validation error, not a 500.
 */
export function uniqueViolation(error: unknown): string | undefined {
  const e = (error as { driverError?: unknown } | null)?.driverError ?? error;
  const { code, errno, message } = (e ?? {}) as {
    code?: unknown;
    errno?: unknown;
    message?: unknown;
  };
  const text = typeof message === 'string' ? message : '';
  if (code === 'ER_DUP_ENTRY' || errno === 1062) {
    return /for key '([^']+)'/.exec(text)?.[1] ?? 'unique';
  }
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return /constraint failed: (.+)$/.exec(text)?.[1] ?? 'unique';
  }
  return undefined;
}
