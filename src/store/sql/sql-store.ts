import type { WriteBatcherOptions, WriteBatcherStats, WriteObserver } from '../batch-queue.js';
import { DelegatingStore, type StoreBackend } from '../delegating-store.js';
import type { PreparedHistory } from '../prepared-writes.js';
import { plainSecretBox } from '../secret-box.js';
import type { MigrationStatus, SecretBox, StoreUsage } from '../store.js';
import { type AsyncWrite, AsyncWriteBatcher } from './async-write-batcher.js';
import { sqlAbrpLinks } from './sql-abrp.js';
import { accounts } from './sql-accounts.js';
import type { SqlContext } from './sql-context.js';
import { messagesAndHistory } from './sql-messages-history.js';
import { type SqlMigration, sqlMigrate, sqlMigrationStatus } from './sql-migrations.js';
import { ownersAndVehicles } from './sql-owners-vehicles.js';
import type { SqlDialect, SqlPool, SqlRunner } from './sql-pool.js';
import { sqlPushQueue } from './sql-push-queue.js';
import { sqlRecording } from './sql-recording.js';
import { sqlSessions } from './sql-sessions.js';

/** How a schema is brought up to date: our versioned migrations, or (Perl mode) checks only. */
export interface SqlSchema {
  migrate(pool: SqlPool): Promise<MigrationStatus>;
  status(pool: SqlPool): Promise<MigrationStatus>;
}

export function versionedSchema(list: readonly SqlMigration[]): SqlSchema {
  return {
    migrate: (pool) => sqlMigrate(pool, list),
    status: (pool) => sqlMigrationStatus(pool, list),
  };
}

/** Our own tables, the same in PostgreSQL and MariaDB but for the dialect's bits. */
export function ownSchemaBackend(dialect: SqlDialect): StoreBackend<SqlContext, SqlRunner> {
  return {
    ...ownersAndVehicles(dialect),
    ...messagesAndHistory(dialect),
    ...accounts(dialect),
    ...sqlPushQueue,
    ...sqlAbrpLinks(dialect),
    ...sqlRecording(dialect),
    ...sqlSessions,
  };
}

/** A store of our own schema on `pool`, named after its dialect ('postgres', 'mysql'). */
export function ownSchemaStore(
  pool: SqlPool,
  migrations: readonly SqlMigration[],
  options: { secretBox?: SecretBox; batch?: WriteBatcherOptions },
): SqlStore {
  return new SqlStore({
    kind: pool.dialect.name,
    pool,
    schema: versionedSchema(migrations),
    backend: ownSchemaBackend(pool.dialect),
    secretBox: options.secretBox ?? plainSecretBox,
    batch: options.batch,
  });
}

export interface SqlStoreOptions {
  /** Shown in logs: 'postgres', 'mysql', 'perl-mysql'. */
  kind: string;
  pool: SqlPool;
  schema: SqlSchema;
  backend: StoreBackend<SqlContext, SqlRunner>;
  secretBox: SecretBox;
  /** Group commit of messages, history and utilisation (defaults: 5 ms, 1000 writes). */
  batch?: WriteBatcherOptions;
}

/** A Store over a connection pool (PostgreSQL, MariaDB/MySQL), with group commit of the busy writes. */
export class SqlStore extends DelegatingStore<SqlContext, SqlRunner> {
  readonly kind: string;
  readonly #ctx: SqlContext;
  readonly #schema: SqlSchema;
  readonly #batcher: AsyncWriteBatcher<SqlRunner>;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: SqlStoreOptions) {
    super(options.backend);
    this.kind = options.kind;
    this.#ctx = { pool: options.pool, secretBox: options.secretBox };
    this.#schema = options.schema;
    this.#batcher = new AsyncWriteBatcher(
      (work) => options.pool.transaction(work),
      options.batch,
      (writes) => this.#plan(writes),
    );
  }

  /** History writes queued so far, by their write function (for #plan). */
  readonly #historyOf = new WeakMap<AsyncWrite<SqlRunner>, PreparedHistory>();

  /** Each run of consecutive history writes becomes one multi-row write; order is kept. */
  #plan(writes: AsyncWrite<SqlRunner>[]): AsyncWrite<SqlRunner>[] {
    const writeRows = this.backend.writeHistoryRows;
    if (!writeRows) return writes;
    const planned: AsyncWrite<SqlRunner>[] = [];
    let run: PreparedHistory[] = [];
    const endRun = () => {
      const records = run;
      if (records.length > 0) planned.push((tx) => writeRows(tx, records));
      run = [];
    };
    for (const write of writes) {
      const record = this.#historyOf.get(write);
      if (record) run.push(record);
      else {
        endRun();
        planned.push(write);
      }
    }
    endRun();
    return planned;
  }

  get pool(): SqlPool {
    return this.#ctx.pool;
  }

  /** How group commit is doing (for logs, metrics and tests). */
  get writeStats(): Readonly<WriteBatcherStats> {
    return this.#batcher.stats;
  }

  observeWrites(observer: WriteObserver): () => void {
    return this.#batcher.observe(observer);
  }

  /**
   * The database's size and the history table's row estimate, from the catalogue (the planner's
   * statistics: PostgreSQL's `reltuples`, InnoDB's `table_rows`), never a count of the table.
   */
  async usage(): Promise<StoreUsage> {
    if (this.#closed) return {};
    const pool = this.#ctx.pool;
    const table = this.kind === 'perl-mysql' ? 'ovms_historicalmessages' : 'history';
    const known = (v: unknown) => {
      const n = Number(v);
      return v !== null && Number.isFinite(n) && n >= 0 ? n : undefined;
    };
    if (pool.dialect.name === 'postgres') {
      const { rows } = await pool.query<{ bytes: unknown; rows: unknown }>(
        'SELECT pg_database_size(current_database()) AS bytes, (SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)) AS rows',
        [table],
      );
      return { bytes: known(rows[0]?.bytes), historyRows: known(rows[0]?.rows) };
    }
    const { rows } = await pool.query<{ bytes: unknown; rows: unknown }>(
      'SELECT SUM(data_length + index_length) AS bytes, SUM(CASE WHEN table_name = ? THEN table_rows END) AS `rows` FROM information_schema.tables WHERE table_schema = DATABASE()',
      [table],
    );
    return { bytes: known(rows[0]?.bytes), historyRows: known(rows[0]?.rows) };
  }

  protected async settled(): Promise<SqlContext> {
    if (this.#closed) throw new Error(`the ${this.kind} store is closed`);
    await this.#batcher.flush();
    return this.#ctx;
  }

  protected queue(write: (tx: SqlRunner) => void | Promise<void>, history?: PreparedHistory): Promise<void> {
    const run: AsyncWrite<SqlRunner> = async (tx) => write(tx);
    if (history) this.#historyOf.set(run, history);
    return this.#batcher.enqueue(run);
  }

  migrate(): Promise<MigrationStatus> {
    return this.write((ctx) => this.#schema.migrate(ctx.pool));
  }
  migrationStatus(): Promise<MigrationStatus> {
    return this.read((ctx) => this.#schema.status(ctx.pool));
  }
  async flush(): Promise<void> {
    await this.read(() => undefined);
  }
  /** Lets the writes already issued finish, then releases the pool. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.directWritesDone();
      this.#closed = true;
      await this.#batcher.close();
      await this.#ctx.pool.close();
    })();
    return this.#closing;
  }
}
