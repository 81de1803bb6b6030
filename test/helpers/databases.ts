import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';

/**
 * Fresh databases on the real PostgreSQL and MariaDB services (127.0.0.1, started by .ci/run), so
 * every test run, and every test that asks, starts from nothing and leaves nothing behind.
 * OVMS_TEST_POSTGRES_URL / OVMS_TEST_MYSQL_URL point at other servers (an account allowed to
 * CREATE DATABASE).
 */
export const POSTGRES_ADMIN_URL =
  process.env.OVMS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MYSQL_ADMIN_URL = process.env.OVMS_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';

export interface TestDatabase {
  /** URL of the new database, for openStore. */
  url: string;
  /** Its name on the server. */
  name: string;
  drop(): Promise<void>;
}

export function uniqueName(prefix = 'ovms_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

function withDatabase(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs statements as the PostgreSQL admin, on a short-lived connection. */
export async function postgresAdmin<T>(work: (client: pg.Client) => Promise<T>, url = POSTGRES_ADMIN_URL) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createPostgresDatabase(name = uniqueName()): Promise<TestDatabase> {
  await postgresAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: withDatabase(POSTGRES_ADMIN_URL, name),
    drop: () => postgresAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

/** A fresh schema inside an existing PostgreSQL database (cheaper than a database per test). */
export async function createPostgresSchema(
  database: TestDatabase,
  name = uniqueName('t'),
): Promise<TestDatabase> {
  await postgresAdmin((c) => c.query(`CREATE SCHEMA ${name}`), database.url);
  const url = new URL(database.url);
  url.searchParams.set('schema', name);
  return {
    name,
    url: url.toString(),
    drop: () =>
      postgresAdmin((c) => c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`), database.url).then(() => {}),
  };
}

/** Runs statements as the MariaDB admin, on a short-lived connection. */
export async function mysqlAdmin<T>(work: (conn: mysql.Connection) => Promise<T>, url = MYSQL_ADMIN_URL) {
  const conn = await mysql.createConnection({ uri: url, timezone: 'Z' });
  try {
    return await work(conn);
  } finally {
    await conn.end();
  }
}

export async function createMysqlDatabase(name = uniqueName()): Promise<TestDatabase> {
  await mysqlAdmin((c) => c.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`));
  return {
    name,
    url: withDatabase(MYSQL_ADMIN_URL, name),
    drop: () => mysqlAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name}`)).then(() => {}),
  };
}

/**
 * The database a test server runs on: a SQLite file at `sqlitePath`, or, with
 * OVMS_TEST_STORE=postgres|mysql, a fresh database on that service (test/backends/ runs the server
 * tests that way). `drop()` removes it once the server is stopped.
 */
export async function testServerDatabase(
  sqlitePath: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const backend = process.env.OVMS_TEST_STORE ?? 'sqlite';
  switch (backend) {
    case 'sqlite':
      return { url: `sqlite:${sqlitePath}`, drop: async () => {} };
    case 'postgres':
      return createPostgresDatabase();
    case 'mysql':
      return createMysqlDatabase();
    default:
      throw new Error(`OVMS_TEST_STORE must be sqlite, postgres or mysql, not "${backend}"`);
  }
}
