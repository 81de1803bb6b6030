import type { WriteBatcherOptions } from '../batch-queue.js';
import type { ReconnectOptions } from '../sql/reconnect.js';
import { checkedPool, type SqlPool } from '../sql/sql-pool.js';
import { ownSchemaStore, type SqlStore } from '../sql/sql-store.js';
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
export function openMysqlPool(options: MysqlStoreOptions): Promise<SqlPool> {
  return checkedPool(createMysqlPool(options));
}

/** Our own schema in MariaDB/MySQL. */
export function mysqlStoreOn(pool: SqlPool, options: MysqlStoreOptions): SqlStore {
  return ownSchemaStore(pool, mysqlMigrations, options);
}

export async function openMysqlStore(options: MysqlStoreOptions): Promise<SqlStore> {
  return mysqlStoreOn(await openMysqlPool(options), options);
}
