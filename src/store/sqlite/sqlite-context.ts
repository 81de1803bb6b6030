import type Database from 'better-sqlite3';
import type { SecretBox } from '../store.js';
import { type ConstraintKind, conflictFor } from '../values.js';

/** What the per-concern modules (owners, vehicles, messages, ...) share. */
export interface SqliteContext {
  readonly db: Database.Database;
  readonly secretBox: SecretBox;
  /** A prepared statement for `sql`, prepared on first use and reused afterwards. */
  statement(sql: string): Database.Statement;
}

export function createSqliteContext(db: Database.Database, secretBox: SecretBox): SqliteContext {
  // Lazy: statements can only be prepared once the tables exist, i.e. after migrate().
  const cache = new Map<string, Database.Statement>();
  return {
    db,
    secretBox,
    statement(sql) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/** Which constraint a better-sqlite3 error broke, if it is a constraint error we translate. */
export function brokenConstraint(error: unknown): ConstraintKind | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign-key';
  return undefined;
}

/** Runs `write`, turning constraint errors into StoreConflictErrors with the given messages. */
export function withConflicts<T>(write: () => T, messages: Partial<Record<ConstraintKind, string>>): T {
  try {
    return write();
  } catch (error) {
    throw conflictFor(brokenConstraint(error), messages) ?? error;
  }
}
