import { SchemaNewerError } from '../schema-newer-error.js';
import type { MigrationStatus } from '../store.js';
import type { SqlPool, SqlRunner } from './sql-pool.js';

/**
 * Versioned schema changes for the PostgreSQL and MariaDB/MySQL back-ends, with the same rules as
 * SQLite's (src/store/sqlite/migrations.ts): append only, recorded in `schema_migrations`, applied
 * in order, refused when the database is newer than this ovms-server.
 *
 * A migration is a list of statements (MariaDB's driver runs one statement per call). A session lock
 * serialises processes that start at once. PostgreSQL applies each migration in a transaction, so a
 * failing one leaves nothing behind; MariaDB commits DDL statement by statement, so its migrations
 * use IF NOT EXISTS where they can and a failed one is re-run from the start.
 */
export interface SqlMigration {
  version: number;
  name: string;
  up: readonly string[];
}

interface AppliedRow {
  version: number | string;
  name: string;
  applied_ms: number | string;
}

async function hasMigrationsTable(pool: SqlPool, db: SqlRunner): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 AS present FROM information_schema.tables
     WHERE table_schema = ${pool.dialect.currentSchema} AND table_name = 'schema_migrations'`,
  );
  return rows.length > 0;
}

/** What has been applied, read without changing the database. */
export async function sqlMigrationStatus(
  pool: SqlPool,
  list: readonly SqlMigration[],
  db: SqlRunner = pool,
): Promise<MigrationStatus> {
  const rows = (await hasMigrationsTable(pool, db))
    ? (await db.query<AppliedRow>('SELECT version, name, applied_ms FROM schema_migrations ORDER BY version'))
        .rows
    : [];
  const last = rows.at(-1);
  return {
    current: last ? Number(last.version) : 0,
    latest: list.at(-1)?.version ?? 0,
    applied: rows.map((r) => ({
      version: Number(r.version),
      name: r.name,
      appliedAt: new Date(Number(r.applied_ms)),
    })),
  };
}

/** Applies the missing migrations in order; see the comment at the top. */
export async function sqlMigrate(pool: SqlPool, list: readonly SqlMigration[]): Promise<MigrationStatus> {
  const { dialect } = pool;
  return pool.session(async (conn) => {
    await conn.query(dialect.lockMigrations);
    try {
      await conn.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    INTEGER      PRIMARY KEY,
        name       VARCHAR(200) NOT NULL,
        applied_ms BIGINT       NOT NULL
      )`);
      const latest = list.at(-1)?.version ?? 0;
      const before = (await sqlMigrationStatus(pool, list, conn)).current;
      if (before > latest) {
        throw new SchemaNewerError(before, latest);
      }
      for (const migration of list) {
        if (migration.version > before) await apply(pool, conn, migration);
      }
      return await sqlMigrationStatus(pool, list, conn);
    } finally {
      await conn.query(dialect.unlockMigrations);
    }
  });
}

async function apply(pool: SqlPool, conn: SqlRunner, migration: SqlMigration): Promise<void> {
  const transactional = pool.dialect.transactionalDdl;
  try {
    if (transactional) await conn.query('BEGIN');
    for (const statement of migration.up) await conn.query(statement);
    await conn.query('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)', [
      migration.version,
      migration.name,
      Date.now(),
    ]);
    if (transactional) await conn.query('COMMIT');
  } catch (error) {
    if (transactional) await conn.query('ROLLBACK').catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${migration.version} (${migration.name}) failed: ${reason}`, { cause: error });
  }
}
