import { type ConstraintKind, conflictFor } from '../values.js';

/**
 * What the PostgreSQL and MariaDB/MySQL back-ends need from a driver, so the queries, migrations and
 * group commit above it are written once. SQL is written with `?` placeholders; the PostgreSQL pool
 * numbers them.
 */

export type SqlParam = string | number | Buffer | Date | null;

export interface SqlResult<Row> {
  rows: Row[];
  /** Rows inserted, changed or deleted (matched rows for an UPDATE). */
  affected: number;
}

export interface SqlRunner {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<SqlResult<Row>>;
}

export interface SqlPool extends SqlRunner {
  readonly dialect: SqlDialect;
  /** Runs `work` in one transaction on one connection: COMMIT if it resolves, ROLLBACK if it throws. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Runs `work` on one connection outside a transaction (for session locks). */
  session<T>(work: (conn: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The SQL that differs between PostgreSQL and MariaDB/MySQL. */
export interface SqlDialect {
  readonly name: 'postgres' | 'mysql';
  /** Which constraint a driver error broke, if it is a constraint error we translate. */
  brokenConstraint(error: unknown): ConstraintKind | undefined;
  /**
   * The upsert clause after an INSERT: `key` is the conflict target's columns, `assignments` the SET
   * list where `excluded.col` means the value the INSERT proposed.
   */
  upsert(key: string, assignments: string): string;
  /** DELETE of at most `?` (the last parameter) rows of `table` matching `where` (its own parameters). */
  deleteAtMost(table: string, where: string): string;
  /** Takes and releases the session lock that serialises migrations across processes. */
  lockMigrations: string;
  unlockMigrations: string;
  /** PostgreSQL can roll DDL back; MariaDB commits it implicitly. */
  transactionalDdl: boolean;
  /** The expression naming the current schema (PostgreSQL) or database (MariaDB). */
  currentSchema: string;
}

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  brokenConstraint(error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === '23505') return 'unique';
    if (code === '23503') return 'foreign-key';
    return undefined;
  },
  upsert: (key, assignments) => `ON CONFLICT (${key}) DO UPDATE SET ${assignments}`,
  // ctid addresses the physical row; good for the duration of one statement, which is all we need.
  deleteAtMost: (table, where) =>
    `DELETE FROM ${table} WHERE ctid = ANY (ARRAY (SELECT ctid FROM ${table} WHERE ${where} LIMIT ?))`,
  lockMigrations: "SELECT pg_advisory_lock(hashtext('ovms-server migrations'))",
  unlockMigrations: "SELECT pg_advisory_unlock(hashtext('ovms-server migrations'))",
  transactionalDdl: true,
  currentSchema: 'current_schema()',
};

export const mysqlDialect: SqlDialect = {
  name: 'mysql',
  brokenConstraint(error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ER_DUP_ENTRY') return 'unique';
    if (code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_NO_REFERENCED_ROW') return 'foreign-key';
    return undefined;
  },
  // VALUES(col) is the MariaDB spelling of "the value the INSERT proposed" (MySQL 8 still accepts it).
  upsert: (_key, assignments) =>
    `ON DUPLICATE KEY UPDATE ${assignments.replace(/\bexcluded\.(\w+)/g, 'VALUES($1)')}`,
  deleteAtMost: (table, where) => `DELETE FROM ${table} WHERE ${where} LIMIT ?`,
  // Named per database, so two databases on one server migrate independently.
  lockMigrations: "SELECT GET_LOCK(CONCAT('ovms-server migrations ', DATABASE()), 60) AS locked",
  unlockMigrations: "SELECT RELEASE_LOCK(CONCAT('ovms-server migrations ', DATABASE())) AS released",
  transactionalDdl: false,
  currentSchema: 'DATABASE()',
};

/** Runs `write`, turning constraint errors into StoreConflictErrors with the given messages. */
export async function withSqlConflicts<T>(
  dialect: SqlDialect,
  write: () => Promise<T>,
  messages: Partial<Record<ConstraintKind, string>>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw conflictFor(dialect.brokenConstraint(error), messages) ?? error;
  }
}

/** Checks a new pool reaches its database, so a bad URL or password fails at start with the driver's reason. */
export async function checkedPool(pool: SqlPool): Promise<SqlPool> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.close().catch(() => {});
    throw error;
  }
  return pool;
}
