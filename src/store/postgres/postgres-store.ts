import type { WriteBatcherOptions } from '../batch-queue.js';
import type { ReconnectOptions } from '../sql/reconnect.js';
import { checkedPool } from '../sql/sql-pool.js';
import { ownSchemaStore, type SqlStore } from '../sql/sql-store.js';
import type { SecretBox } from '../store.js';
import { postgresMigrations } from './postgres-migrations.js';
import { createPostgresPool } from './postgres-pool.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database[?schema=NAME&pool_max=N]` */
  url: string;
  secretBox?: SecretBox;
  batch?: WriteBatcherOptions;
  reconnect?: ReconnectOptions;
}

/** Connects (failing early with the driver's reason if it cannot) and returns the store. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<SqlStore> {
  return ownSchemaStore(await checkedPool(createPostgresPool(options)), postgresMigrations, options);
}
