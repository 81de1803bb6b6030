import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { plainSecretBox } from '../secret-box.js';
import type {
  ApiToken,
  AutoProvisionRecord,
  HistoryRecord,
  HistorySummary,
  MigrationStatus,
  NewOwner,
  NewVehicle,
  Owner,
  PushSubscription,
  SecretBox,
  Store,
  StoredMessage,
  UtilisationCounts,
  UtilisationDay,
  Vehicle,
  VehicleRef,
} from '../store.js';
import { migrate, migrationStatus } from './migrations.js';
import * as apiTokens from './sqlite-api-tokens.js';
import * as autoprovision from './sqlite-autoprovision.js';
import { createSqliteContext, type SqliteContext } from './sqlite-context.js';
import * as history from './sqlite-history.js';
import * as messages from './sqlite-messages.js';
import * as owners from './sqlite-owners.js';
import * as push from './sqlite-push.js';
import * as utilisation from './sqlite-utilisation.js';
import * as vehicles from './sqlite-vehicles.js';
import { WriteBatcher, type WriteBatcherOptions, type WriteBatcherStats } from './write-batcher.js';

export interface SqliteStoreOptions {
  /** The database file (its directory is created if missing), or ':memory:'. */
  path: string;
  /** Protects car secrets at rest; defaults to storing them as they are. */
  secretBox?: SecretBox;
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
  if (options.path !== ':memory:' && options.path !== '') {
    mkdirSync(dirname(options.path), { recursive: true });
  }
  const db = new Database(options.path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteStore(db, options);
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly path: string;
  readonly #db: Database.Database;
  readonly #ctx: SqliteContext;
  readonly #batcher: WriteBatcher;
  #closed = false;

  constructor(db: Database.Database, options: SqliteStoreOptions) {
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

  /**
   * Every operation except the batched writes starts here: committing what is queued gives
   * read-your-writes, and keeps direct writes (a deleteVehicle, say) after the writes queued before them.
   */
  #settled(): SqliteContext {
    if (this.#closed) throw new Error(`the SQLite store ${this.path} is closed`);
    this.#batcher.flush();
    return this.#ctx;
  }

  /** Validates and copies the input now (the caller may reuse its Buffers), writes it with the batch. */
  #enqueue<T>(prepare: () => T, write: (ctx: SqliteContext, prepared: T) => void): Promise<void> {
    let prepared: T;
    try {
      prepared = prepare();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#batcher.enqueue(() => write(this.#ctx, prepared));
  }

  async migrate(): Promise<MigrationStatus> {
    return migrate(this.#settled().db);
  }
  async migrationStatus(): Promise<MigrationStatus> {
    return migrationStatus(this.#settled().db);
  }
  async flush(): Promise<void> {
    this.#settled();
  }
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#batcher.close();
    this.#closed = true;
    this.#db.close();
  }

  async createOwner(owner: NewOwner): Promise<Owner> {
    return owners.createOwner(this.#settled(), owner);
  }
  async getOwner(id: number): Promise<Owner | undefined> {
    return owners.getOwner(this.#settled(), id);
  }
  async getOwnerByName(name: string): Promise<Owner | undefined> {
    return owners.getOwnerByName(this.#settled(), name);
  }
  async listOwners(): Promise<Owner[]> {
    return owners.listOwners(this.#settled());
  }
  async setOwnerPassword(id: number, passwordHash: string): Promise<void> {
    owners.setOwnerPassword(this.#settled(), id, passwordHash);
  }
  async deleteOwner(id: number): Promise<boolean> {
    return owners.deleteOwner(this.#settled(), id);
  }

  async createVehicle(vehicle: NewVehicle): Promise<Vehicle> {
    return vehicles.createVehicle(this.#settled(), vehicle);
  }
  async createVehicles(list: NewVehicle[]): Promise<number> {
    return vehicles.createVehicles(this.#settled(), list);
  }
  async findVehicle(vehicleId: string): Promise<Vehicle | undefined> {
    return vehicles.findVehicle(this.#settled(), vehicleId);
  }
  async getVehicle(ref: VehicleRef): Promise<Vehicle | undefined> {
    return vehicles.getVehicle(this.#settled(), ref);
  }
  async listVehicles(ownerId?: number): Promise<Vehicle[]> {
    return vehicles.listVehicles(this.#settled(), ownerId);
  }
  async setVehicleSecret(ref: VehicleRef, secret: string): Promise<void> {
    vehicles.setVehicleSecret(this.#settled(), ref, secret);
  }
  async deleteVehicle(ref: VehicleRef): Promise<boolean> {
    return vehicles.deleteVehicle(this.#settled(), ref);
  }
  async setParanoidToken(ref: VehicleRef, ptoken: string): Promise<void> {
    vehicles.setParanoidToken(this.#settled(), ref, ptoken);
  }

  // The three high-rate writes are queued for group commit; the queueing happens synchronously
  // inside the call, which is what makes them visible to any read issued afterwards. They return the
  // batcher's promise itself (no async wrapper), so it has settled by the time a later flush() resolves.
  saveMessage(ref: VehicleRef, msg: StoredMessage): Promise<void> {
    return this.#enqueue(() => messages.prepareMessage(ref, msg), messages.writeMessage);
  }
  async getMessages(ref: VehicleRef): Promise<StoredMessage[]> {
    return messages.getMessages(this.#settled(), ref);
  }

  addHistory(ref: VehicleRef, record: HistoryRecord): Promise<void> {
    return this.#enqueue(() => history.prepareHistory(ref, record), history.writeHistory);
  }
  async historySummary(ref: VehicleRef, since?: Date): Promise<HistorySummary[]> {
    return history.historySummary(this.#settled(), ref, since);
  }
  async historyRecords(
    ref: VehicleRef,
    type: string,
    since?: Date,
    limit?: number,
  ): Promise<HistoryRecord[]> {
    return history.historyRecords(this.#settled(), ref, type, since, limit);
  }
  async purgeHistory(now: Date, limit: number): Promise<number> {
    return history.purgeHistory(this.#settled(), now, limit);
  }

  addUtilisation(ref: VehicleRef, day: string, counts: UtilisationCounts): Promise<void> {
    return this.#enqueue(
      () => utilisation.prepareUtilisation(ref, day, counts),
      utilisation.writeUtilisation,
    );
  }
  async getUtilisation(ref: VehicleRef, days: number): Promise<UtilisationDay[]> {
    return utilisation.getUtilisation(this.#settled(), ref, days);
  }
  async purgeUtilisation(beforeDay: string): Promise<number> {
    return utilisation.purgeUtilisation(this.#settled(), beforeDay);
  }

  async upsertPushSubscription(sub: push.NewPushSubscription): Promise<void> {
    push.upsertPushSubscription(this.#settled(), sub);
  }
  async listPushSubscriptions(ref: VehicleRef): Promise<PushSubscription[]> {
    return push.listPushSubscriptions(this.#settled(), ref);
  }
  async deletePushSubscription(ref: VehicleRef, appId: string): Promise<boolean> {
    return push.deletePushSubscription(this.#settled(), ref, appId);
  }

  async putAutoProvision(record: AutoProvisionRecord): Promise<void> {
    autoprovision.putAutoProvision(this.#settled(), record);
  }
  async getAutoProvision(apKey: string): Promise<AutoProvisionRecord | undefined> {
    return autoprovision.getAutoProvision(this.#settled(), apKey);
  }
  async listAutoProvision(): Promise<AutoProvisionRecord[]> {
    return autoprovision.listAutoProvision(this.#settled());
  }
  async deleteAutoProvision(apKey: string): Promise<boolean> {
    return autoprovision.deleteAutoProvision(this.#settled(), apKey);
  }
  async markAutoProvisionUsed(apKey: string, when: Date): Promise<void> {
    autoprovision.markAutoProvisionUsed(this.#settled(), apKey, when);
  }

  async createApiToken(
    token: Omit<ApiToken, 'created' | 'lastUsed'> & { created?: Date },
  ): Promise<ApiToken> {
    return apiTokens.createApiToken(this.#settled(), token);
  }
  async listApiTokens(ownerId: number): Promise<ApiToken[]> {
    return apiTokens.listApiTokens(this.#settled(), ownerId);
  }
  async findApiToken(tokenHash: string): Promise<ApiToken | undefined> {
    return apiTokens.findApiToken(this.#settled(), tokenHash);
  }
  async touchApiToken(tokenHash: string, when: Date): Promise<void> {
    apiTokens.touchApiToken(this.#settled(), tokenHash, when);
  }
  async deleteApiToken(ownerId: number, tokenHash: string): Promise<boolean> {
    return apiTokens.deleteApiToken(this.#settled(), ownerId, tokenHash);
  }
}
