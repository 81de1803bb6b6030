import type { WriteBatcherOptions } from '../batch-queue.js';
import { plainSecretBox } from '../secret-box.js';
import type { ReconnectOptions } from '../sql/reconnect.js';
import { mysqlDialect, type SqlPool } from '../sql/sql-pool.js';
import { ownSchemaBackend, SqlStore, versionedSchema } from '../sql/sql-store.js';
import type { SecretBox } from '../store.js';
import { mysqlMigrations } from './mysql-migrations.js';
import { createMysqlPool } from './mysql-pool.js';

export interface MysqlStoreOptions {
  /** `mysql://user:password@host:port/database[?pool_max=N]` or `mariadb://...` */
  url: string;
  secretBox?: SecretBox;
  batch?: WriteBatcherOptions;
  reconnect?: ReconnectOptions;
}

/** Opens the pool and checks the database answers (failing early with the driver's reason). */
export async function openMysqlPool(options: MysqlStoreOptions): Promise<SqlPool> {
  const pool = createMysqlPool(options);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.close().catch(() => {});
    throw error;
  }
  return pool;
}

/** Our own schema in MariaDB/MySQL. */
export function mysqlStoreOn(pool: SqlPool, options: MysqlStoreOptions): SqlStore {
  return new SqlStore({
    kind: 'mysql',
    pool,
    schema: versionedSchema(mysqlMigrations),
    backend: ownSchemaBackend(mysqlDialect),
    secretBox: options.secretBox ?? plainSecretBox,
    batch: options.batch,
  });
}

export async function openMysqlStore(options: MysqlStoreOptions): Promise<SqlStore> {
  return mysqlStoreOn(await openMysqlPool(options), options);
}
