import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { WriteObserver } from '../batch-queue.js';
import { DelegatingStore, type StoreBackend } from '../delegating-store.js';
import { plainSecretBox } from '../secret-box.js';
import type { MigrationStatus, SecretBox, StoreUsage } from '../store.js';
import { migrate, migrationStatus } from './migrations.js';
import * as abrp from './sqlite-abrp.js';
import * as apiTokens from './sqlite-api-tokens.js';
import * as autoprovision from './sqlite-autoprovision.js';
import { createSqliteContext, type SqliteContext } from './sqlite-context.js';
import * as history from './sqlite-history.js';
import * as messages from './sqlite-messages.js';
import * as owners from './sqlite-owners.js';
import * as push from './sqlite-push.js';
import * as recording from './sqlite-recording.js';
import * as httpSessions from './sqlite-sessions.js';
import * as utilisation from './sqlite-utilisation.js';
import * as vehicles from './sqlite-vehicles.js';
import { WriteBatcher, type WriteBatcherOptions, type WriteBatcherStats } from './write-batcher.js';

export interface SqliteStoreOptions {
  /** The database file (its directory is created if missing), or ':memory:'. */
  path: string;
  /**
   * Protects car secrets at rest; defaults to storing them as they are. A function gets to look at
   * the opened database first (whether it holds sealed secrets) to pick its key.
   */
  secretBox?: SecretBox | ((hasSealedSecrets: () => boolean) => SecretBox);
  /** Group commit of messages, history and utilisation (defaults: 5 ms, 1000 writes). */
  batch?: WriteBatcherOptions;
  /**
   * FULL (default) makes every commit durable across power loss; the server acks history records to
   * the car after commit, so that is what the ack promises. NORMAL survives a crashed process but may
   * lose the last commits on power loss.
   */
  synchronous?: 'FULL' | 'NORMAL';
}

/** Opens (creating if needed) a SQLite database. Call `migrate()` before using it. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  if (options.path !== ':memory:' && options.path !== '') createOwnerOnly(options.path);
  const db = new Database(options.path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const box = options.secretBox;
    const secretBox = typeof box === 'function' ? box(() => hasSealedSecrets(db)) : box;
    return new SqliteStore(db, { ...options, secretBox });
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A new database file, and the folders made for it, are for the server's user only (0600, 0700):
 * the file holds password hashes and car data. SQLite gives its -wal and -shm files the database
 * file's mode. Existing files and folders keep theirs.
 */
function createOwnerOnly(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** True when some vehicle secret in the database is sealed (the database needs its key). */
function hasSealedSecrets(db: Database.Database): boolean {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'vehicles'").get();
  return (
    table !== undefined &&
    db.prepare("SELECT 1 FROM vehicles WHERE substr(secret, 1, 4) = 'enc:' LIMIT 1").get() !== undefined
  );
}

const sqliteBackend: StoreBackend<SqliteContext, SqliteContext> = {
  ...owners,
  ...vehicles,
  ...messages,
  ...history,
  ...utilisation,
  ...push,
  ...autoprovision,
  ...apiTokens,
  ...abrp,
  ...recording,
  ...httpSessions,
};

export class SqliteStore extends DelegatingStore<SqliteContext, SqliteContext> {
  readonly kind = 'sqlite';
  readonly path: string;
  readonly #db: Database.Database;
  readonly #ctx: SqliteContext;
  readonly #batcher: WriteBatcher;
  #closed = false;

  constructor(db: Database.Database, options: SqliteStoreOptions & { secretBox?: SecretBox }) {
    super(sqliteBackend);
    this.path = options.path;
    this.#db = db;
    this.#ctx = createSqliteContext(db, options.secretBox ?? plainSecretBox);
    const inTransaction = db.transaction((work: () => void) => work());
    this.#batcher = new WriteBatcher((work) => inTransaction.immediate(work), options.batch);
  }

  /** How group commit is doing (for logs, metrics and tests). */
  get writeStats(): Readonly<WriteBatcherStats> {
    return this.#batcher.stats;
  }

  observeWrites(observer: WriteObserver): () => void {
    return this.#batcher.observe(observer);
  }

  /** The file's size from SQLite's page counts (no table is read); no cheap history row count exists. */
  async usage(): Promise<StoreUsage> {
    if (this.#closed) return {};
    const pages = this.#db.pragma('page_count', { simple: true }) as number;
    const size = this.#db.pragma('page_size', { simple: true }) as number;
    return { bytes: pages * size };
  }

  /** Synchronous: committing what is queued is a plain function call with better-sqlite3. */
  protected settled(): SqliteContext {
    if (this.#closed) throw new Error(`the SQLite store ${this.path} is closed`);
    this.#batcher.flush();
    return this.#ctx;
  }

  /** Queued upserts not yet begun, by row: a cars' burst within one batch becomes one statement per row. */
  readonly #waiting = new Map<string, { write: (tx: SqliteContext) => void; done: Promise<void> }>();

  protected queue(write: (tx: SqliteContext) => void, _history?: unknown, rowKey?: string): Promise<void> {
    if (rowKey === undefined) return this.#batcher.enqueue(() => write(this.#ctx));
    const waiting = this.#waiting.get(rowKey);
    if (waiting) {
      // Batches run synchronously, so a write still in the map has not started: the newer data
      // takes its place, and both callers learn of the one commit.
      waiting.write = write;
      return waiting.done;
    }
    // In the map before enqueue(): a full queue commits inside that very call.
    const slot = { write, done: Promise.resolve() };
    this.#waiting.set(rowKey, slot);
    slot.done = this.#batcher.enqueue(() => {
      if (this.#waiting.get(rowKey) === slot) this.#waiting.delete(rowKey);
      slot.write(this.#ctx);
    });
    return slot.done;
  }

  async migrate(): Promise<MigrationStatus> {
    return migrate(this.settled().db);
  }
  async migrationStatus(): Promise<MigrationStatus> {
    return migrationStatus(this.settled().db);
  }
  async flush(): Promise<void> {
    await this.read(() => undefined);
  }
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.directWritesDone();
    if (this.#closed) return;
    this.#batcher.close();
    this.#closed = true;
    this.#db.close();
  }
}
