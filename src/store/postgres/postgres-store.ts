import type { WriteBatcherOptions } from '../batch-queue.js';
import { plainSecretBox } from '../secret-box.js';
import type { ReconnectOptions } from '../sql/reconnect.js';
import { postgresDialect } from '../sql/sql-pool.js';
import { ownSchemaBackend, SqlStore, versionedSchema } from '../sql/sql-store.js';
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
  const pool = createPostgresPool(options);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.close().catch(() => {});
    throw error;
  }
  return new SqlStore({
    kind: 'postgres',
    pool,
    schema: versionedSchema(postgresMigrations),
    backend: ownSchemaBackend(postgresDialect),
    secretBox: options.secretBox ?? plainSecretBox,
    batch: options.batch,
  });
}
