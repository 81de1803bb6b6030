import pg from 'pg';
import { type ReconnectOptions, retryOnConnectionLoss, runTransaction } from '../sql/reconnect.js';
import {
  postgresDialect,
  type SqlParam,
  type SqlPool,
  type SqlResult,
  type SqlRunner,
} from '../sql/sql-pool.js';

export interface PostgresPoolOptions {
  /** `postgres://user:password@host:port/database`; `?schema=NAME` puts our tables in that schema. */
  url: string;
  /** Most connections open at once (default 10, or `?pool_max=N` in the URL). */
  max?: number;
  reconnect?: ReconnectOptions;
}

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

/** BIGINT and SUM() arrive as text by default; our values all fit in a double. */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === PG_INT8 || oid === PG_NUMERIC
      ? Number
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** Server codes for "this session is gone" (admin shutdown, crash, connection failures). */
const LOST_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const LOST_ERRNOS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN']);

export function isPostgresConnectionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code && (LOST_CODES.has(code) || LOST_ERRNOS.has(code))) return true;
  return /Connection terminated|not queryable|terminating connection/i.test(message ?? '');
}

/** `?` placeholders to PostgreSQL's `$1, $2, ...` (outside quoted literals), cached per text. */
const positional = new Map<string, string>();
function toPositional(sql: string): string {
  let converted = positional.get(sql);
  if (converted === undefined) {
    let n = 0;
    converted = sql.replace(/'(?:[^']|'')*'|\?/g, (match) => (match === '?' ? `$${++n}` : match));
    positional.set(sql, converted);
  }
  return converted;
}

function runnerFor(client: pg.ClientBase): SqlRunner {
  return {
    async query<Row>(sql: string, params: readonly SqlParam[] = []): Promise<SqlResult<Row>> {
      const result = await client.query(toPositional(sql), params as unknown[]);
      return { rows: result.rows as Row[], affected: result.rowCount ?? 0 };
    },
  };
}

/** Splits our own URL parameters off before pg parses the rest. */
function parseUrl(url: string): { connectionString: string; schema?: string; max?: number } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  const max = parsed.searchParams.get('pool_max');
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('pool_max');
  if (parsed.protocol === 'postgresql:') parsed.protocol = 'postgres:';
  return { connectionString: parsed.toString(), schema, max: max ? Number(max) : undefined };
}

export function createPostgresPool(options: PostgresPoolOptions): SqlPool {
  const { connectionString, schema, max } = parseUrl(options.url);
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new Error(`schema "${schema}" in the database URL must be a plain identifier`);
  }
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? max ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle connection that dies (database restart, pg_terminate_backend) is reported here; the pool
  // has already dropped it and opens a fresh one on the next use. Without a listener, Node would
  // treat the event as an uncaught error and stop the server.
  pool.on('error', () => {});
  const retry = <T>(run: () => Promise<T>) =>
    retryOnConnectionLoss(run, isPostgresConnectionError, options.reconnect);
  const direct = runnerFor(pool as unknown as pg.ClientBase);

  async function withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await work(client);
    } catch (error) {
      if (isPostgresConnectionError(error)) broken = error as Error;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  return {
    dialect: postgresDialect,
    query: (sql, params) => retry(() => direct.query(sql, params)),
    transaction: (work) =>
      retry(() =>
        withClient((client) => runTransaction(runnerFor(client), 'BEGIN', work, isPostgresConnectionError)),
      ),
    session: (work) => retry(() => withClient((client) => work(runnerFor(client)))),
    close: () => pool.end(),
  };
}
