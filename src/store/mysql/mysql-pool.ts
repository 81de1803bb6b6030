import mysql from 'mysql2/promise';
import { type ReconnectOptions, retryOnConnectionLoss, runTransaction } from '../sql/reconnect.js';
import {
  mysqlDialect,
  type SqlParam,
  type SqlPool,
  type SqlResult,
  type SqlRunner,
} from '../sql/sql-pool.js';

export interface MysqlPoolOptions {
  /** `mysql://user:password@host:port/database` (or `mariadb://`); `?pool_max=N` sizes the pool. */
  url: string;
  /** Most connections open at once (default 10). */
  max?: number;
  reconnect?: ReconnectOptions;
}

const LOST_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

export function isMysqlConnectionError(error: unknown): boolean {
  const { code, fatal, message } = (error ?? {}) as { code?: string; fatal?: boolean; message?: string };
  if (fatal === true || (code !== undefined && LOST_CODES.has(code))) return true;
  return /closed state|connection is closed/i.test(message ?? '');
}

type Queryable = Pick<mysql.Pool, 'query'>;

function runnerFor(target: Queryable): SqlRunner {
  return {
    async query<Row>(sql: string, params: readonly SqlParam[] = []): Promise<SqlResult<Row>> {
      const [result] = await target.query(sql, params as unknown[]);
      if (Array.isArray(result)) return { rows: result as Row[], affected: 0 };
      return { rows: [], affected: (result as mysql.ResultSetHeader).affectedRows };
    },
  };
}

function parseUrl(url: string): { uri: string; max?: number } {
  const parsed = new URL(url);
  const max = parsed.searchParams.get('pool_max');
  parsed.searchParams.delete('pool_max');
  if (parsed.protocol === 'mariadb:') parsed.protocol = 'mysql:';
  return { uri: parsed.toString(), max: max ? Number(max) : undefined };
}

export function createMysqlPool(options: MysqlPoolOptions): SqlPool {
  const { uri, max } = parseUrl(options.url);
  const pool = mysql.createPool({
    uri,
    connectionLimit: options.max ?? max ?? 10,
    // Dates go in and come out as UTC (the reference's datetime columns hold UTC).
    timezone: 'Z',
    charset: 'utf8mb4',
    // SUM() arrives as a decimal; our values all fit in a double.
    decimalNumbers: true,
    supportBigNumbers: true,
    enableKeepAlive: true,
    idleTimeout: 30_000,
    // The wait for a free connection is unbounded by default; a stuck database should surface.
    connectTimeout: 10_000,
  });
  // A killed idle connection is dropped by the pool; the event must have a listener or Node treats
  // it as an uncaught error.
  pool.on('connection', (conn) => conn.on('error', () => {}));
  const retry = <T>(run: () => Promise<T>) =>
    retryOnConnectionLoss(run, isMysqlConnectionError, options.reconnect);
  const direct = runnerFor(pool);

  async function withConnection<T>(work: (conn: mysql.PoolConnection) => Promise<T>): Promise<T> {
    const conn = await pool.getConnection();
    let broken = false;
    try {
      return await work(conn);
    } catch (error) {
      broken = isMysqlConnectionError(error);
      throw error;
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  return {
    dialect: mysqlDialect,
    query: (sql, params) => retry(() => direct.query(sql, params)),
    transaction: (work) =>
      retry(() =>
        withConnection((conn) =>
          runTransaction(runnerFor(conn), 'START TRANSACTION', work, isMysqlConnectionError),
        ),
      ),
    session: (work) => retry(() => withConnection((conn) => work(runnerFor(conn)))),
    close: () => pool.end(),
  };
}
