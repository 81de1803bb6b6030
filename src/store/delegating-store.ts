import type { Place } from '../recording/geo.js';
import type { Period, PeriodKind, Sample } from '../recording/vehicle-recorder.js';
import {
  type PreparedHistory,
  type PreparedMessage,
  type PreparedUtilisation,
  prepareHistory,
  prepareMessage,
  prepareUtilisation,
} from './prepared-writes.js';
import type {
  AbrpLink,
  AbrpStatus,
  ApiToken,
  AutoProvisionRecord,
  HistoryPageQuery,
  HistoryRecord,
  HistorySummary,
  HistoryUsage,
  MigrationStatus,
  NewApiToken,
  NewOwner,
  NewPlace,
  NewVehicle,
  Owner,
  PeriodQuery,
  PushQueueItem,
  PushSubscription,
  RecordingBatch,
  RecordingVehicle,
  RecordingVehicleSettings,
  SampleQuery,
  Store,
  StoredMessage,
  StoredSecretsReport,
  StoredSession,
  UtilisationCounts,
  UtilisationDay,
  Vehicle,
  VehicleRef,
} from './store.js';

/** Store operations a back-end implements as plain functions of a database handle. */
type DirectOperation = Exclude<
  keyof Store,
  | 'kind'
  | 'migrate'
  | 'migrationStatus'
  | 'flush'
  | 'close'
  | 'saveMessage'
  | 'addHistory'
  | 'addUtilisation'
  | 'historyRecords'
  | 'writeStats'
  | 'observeWrites'
  | 'usage'
>;

type WithHandle<Db, F> = F extends (...args: infer A) => Promise<infer R>
  ? (db: Db, ...args: A) => R | Promise<R>
  : never;

/**
 * A back-end as a set of functions: the direct operations take the handle `settled()` returns, the
 * three batched writes take the handle of the batch's transaction.
 */
export type StoreBackend<Db, Tx> = { [K in DirectOperation]: WithHandle<Db, Store[K]> } & {
  writeMessage(tx: Tx, message: PreparedMessage): void | Promise<void>;
  writeHistory(tx: Tx, record: PreparedHistory): void | Promise<void>;
  /** Many records in one statement (network databases: one round trip for a burst). */
  writeHistoryRows?(tx: Tx, records: PreparedHistory[]): Promise<void>;
  writeUtilisation(tx: Tx, counts: PreparedUtilisation): void | Promise<void>;
};

/**
 * The Store surface written once for every back-end: each operation first settles the queued
 * writes (read-your-writes, and direct writes stay ordered after the batched writes queued before
 * them), then calls the back-end's function. Subclasses say how to settle and how to queue.
 */
export abstract class DelegatingStore<Db, Tx> implements Store {
  abstract readonly kind: string;

  constructor(protected readonly backend: StoreBackend<Db, Tx>) {}

  /** Commits (or waits for) every queued write and returns the handle for the next operation. */
  protected abstract settled(): Db | Promise<Db>;
  /**
   * Queues a write for group commit; the promise settles after its COMMIT. A history write comes
   * with its record, so a back-end can write a run of them in one statement. Message and history
   * writes are upserts and come with their row's key: a later write of the same row may replace a
   * queued one that has not started (only the last would be left behind anyway).
   */
  protected abstract queue(
    write: (tx: Tx) => void | Promise<void>,
    history?: PreparedHistory,
    rowKey?: string,
  ): Promise<void>;

  abstract migrate(): Promise<MigrationStatus>;
  abstract migrationStatus(): Promise<MigrationStatus>;
  abstract flush(): Promise<void>;
  abstract close(): Promise<void>;

  /** Settles when every direct write issued so far has finished; never rejects. */
  #writes: Promise<void> = Promise.resolve();
  /** Direct writes issued and not finished yet. */
  #directPending = 0;

  /**
   * A direct write runs after the direct writes issued before it, and every later operation waits
   * for it: on a network database a read issued after a write (say, a replay after a new paranoid
   * token) must not overtake it on another pooled connection.
   */
  protected write<T>(operation: (db: Db) => T | Promise<T>): Promise<T> {
    this.#directPending++;
    const run = this.#writes.then(async () => operation(await this.settled()));
    const done = () => {
      this.#directPending--;
    };
    this.#writes = run.then(done, done);
    return run;
  }

  /** A read sees every write issued before it (batched or direct). */
  protected read<T>(operation: (db: Db) => T | Promise<T>): Promise<T> {
    return this.#writes.then(async () => operation(await this.settled()));
  }

  /** Settles once the direct writes issued so far are done (for close()). */
  protected directWritesDone(): Promise<void> {
    return this.#writes;
  }

  /** Validates and copies the input now (the caller may reuse its Buffers), writes it with the batch. */
  #enqueue<T>(
    prepare: () => T,
    write: (tx: Tx, prepared: T) => void | Promise<void>,
    isHistory = false,
    rowKey?: (prepared: T) => string,
  ): Promise<void> {
    let prepared: T;
    try {
      prepared = prepare();
    } catch (error) {
      return Promise.reject(error);
    }
    const queue = () =>
      this.queue(
        (tx) => write(tx, prepared),
        isHistory ? (prepared as PreparedHistory) : undefined,
        rowKey?.(prepared),
      );
    // Not before the direct writes issued earlier: a batch may commit (on its timer) while they
    // still wait their turn, and a new paranoid token's invalidation would then also hit the
    // message sent under it. With none pending, which is the usual case, it is queued at once.
    return this.#directPending === 0 ? queue() : this.#writes.then(queue);
  }

  // The three high-rate writes are queued synchronously inside the call (or right after the direct
  // writes issued before them), which is what makes them visible to any read issued afterwards.
  // They return the queue's promise itself (no async wrapper), so it has settled by the time a
  // later flush() resolves.
  saveMessage(ref: VehicleRef, msg: StoredMessage): Promise<void> {
    return this.#enqueue(
      () => prepareMessage(ref, msg),
      this.backend.writeMessage,
      false,
      (m) => `m\u0000${m.ownerId}\u0000${m.vehicleId}\u0000${m.code}`,
    );
  }
  addHistory(ref: VehicleRef, record: HistoryRecord): Promise<void> {
    return this.#enqueue(
      () => prepareHistory(ref, record),
      this.backend.writeHistory,
      true,
      (h) => `h\u0000${h.ownerId}\u0000${h.vehicleId}\u0000${h.type}\u0000${h.recno}\u0000${h.timestampS}`,
    );
  }
  addUtilisation(ref: VehicleRef, day: string, counts: UtilisationCounts): Promise<void> {
    return this.#enqueue(() => prepareUtilisation(ref, day, counts), this.backend.writeUtilisation);
  }

  async createOwner(owner: NewOwner): Promise<Owner> {
    return this.write((db) => this.backend.createOwner(db, owner));
  }
  async getOwner(id: number): Promise<Owner | undefined> {
    return this.read((db) => this.backend.getOwner(db, id));
  }
  async getOwnerByName(name: string): Promise<Owner | undefined> {
    return this.read((db) => this.backend.getOwnerByName(db, name));
  }
  async listOwners(): Promise<Owner[]> {
    return this.read((db) => this.backend.listOwners(db));
  }
  async setOwnerPassword(id: number, passwordHash: string): Promise<void> {
    return this.write((db) => this.backend.setOwnerPassword(db, id, passwordHash));
  }
  async deleteOwner(id: number): Promise<boolean> {
    return this.write((db) => this.backend.deleteOwner(db, id));
  }

  async createVehicle(vehicle: NewVehicle): Promise<Vehicle> {
    return this.write((db) => this.backend.createVehicle(db, vehicle));
  }
  async createVehicles(list: NewVehicle[]): Promise<number> {
    return this.write((db) => this.backend.createVehicles(db, list));
  }
  async findVehicle(vehicleId: string): Promise<Vehicle | undefined> {
    return this.read((db) => this.backend.findVehicle(db, vehicleId));
  }
  async getVehicle(ref: VehicleRef): Promise<Vehicle | undefined> {
    return this.read((db) => this.backend.getVehicle(db, ref));
  }
  async listVehicles(ownerId?: number): Promise<Vehicle[]> {
    return this.read((db) => this.backend.listVehicles(db, ownerId));
  }
  async setVehicleSecret(ref: VehicleRef, secret: string): Promise<void> {
    return this.write((db) => this.backend.setVehicleSecret(db, ref, secret));
  }
  async deleteVehicle(ref: VehicleRef): Promise<boolean> {
    return this.write((db) => this.backend.deleteVehicle(db, ref));
  }
  async sealStoredSecrets(): Promise<StoredSecretsReport> {
    return this.write((db) => this.backend.sealStoredSecrets(db));
  }
  async setParanoidToken(ref: VehicleRef, ptoken: string): Promise<void> {
    return this.write((db) => this.backend.setParanoidToken(db, ref, ptoken));
  }

  async getMessages(ref: VehicleRef): Promise<StoredMessage[]> {
    return this.read((db) => this.backend.getMessages(db, ref));
  }
  async historySummary(ref: VehicleRef, since?: Date): Promise<HistorySummary[]> {
    return this.read((db) => this.backend.historySummary(db, ref, since));
  }
  async historyRecords(
    ref: VehicleRef,
    type: string,
    since?: Date,
    limit?: number,
  ): Promise<HistoryRecord[]> {
    // The whole list is the first page with no limit of its own.
    const query = { since, limit: limit ?? Number.MAX_SAFE_INTEGER };
    return this.read((db) => this.backend.historyPage(db, ref, type, query));
  }
  async historyPage(ref: VehicleRef, type: string, query: HistoryPageQuery): Promise<HistoryRecord[]> {
    return this.read((db) => this.backend.historyPage(db, ref, type, query));
  }
  async countHistory(ref: VehicleRef, type: string, since?: Date): Promise<number> {
    return this.read((db) => this.backend.countHistory(db, ref, type, since));
  }
  async historyUsage(ref: VehicleRef): Promise<HistoryUsage> {
    return this.read((db) => this.backend.historyUsage(db, ref));
  }
  async purgeHistory(now: Date, limit: number): Promise<number> {
    return this.write((db) => this.backend.purgeHistory(db, now, limit));
  }
  async getUtilisation(ref: VehicleRef, days: number): Promise<UtilisationDay[]> {
    return this.read((db) => this.backend.getUtilisation(db, ref, days));
  }
  async purgeUtilisation(beforeDay: string): Promise<number> {
    return this.write((db) => this.backend.purgeUtilisation(db, beforeDay));
  }

  async upsertPushSubscription(
    sub: Omit<PushSubscription, 'lastUpdated'> & { lastUpdated?: Date },
  ): Promise<void> {
    return this.write((db) => this.backend.upsertPushSubscription(db, sub));
  }
  async listPushSubscriptions(ref: VehicleRef): Promise<PushSubscription[]> {
    return this.read((db) => this.backend.listPushSubscriptions(db, ref));
  }
  async deletePushSubscription(ref: VehicleRef, appId: string): Promise<boolean> {
    return this.write((db) => this.backend.deletePushSubscription(db, ref, appId));
  }

  async enqueuePush(payloads: string[], dueAt?: Date): Promise<void> {
    return this.write((db) => this.backend.enqueuePush(db, payloads, dueAt));
  }
  async claimPush(now: Date, limit: number, leaseUntil: Date): Promise<PushQueueItem[]> {
    return this.write((db) => this.backend.claimPush(db, now, limit, leaseUntil));
  }
  async finishPush(id: number): Promise<boolean> {
    return this.write((db) => this.backend.finishPush(db, id));
  }
  async retryPush(id: number, dueAt: Date): Promise<boolean> {
    return this.write((db) => this.backend.retryPush(db, id, dueAt));
  }
  async countPush(): Promise<number> {
    return this.read((db) => this.backend.countPush(db));
  }

  async putAutoProvision(record: AutoProvisionRecord): Promise<void> {
    return this.write((db) => this.backend.putAutoProvision(db, record));
  }
  async getAutoProvision(apKey: string): Promise<AutoProvisionRecord | undefined> {
    return this.read((db) => this.backend.getAutoProvision(db, apKey));
  }
  async listAutoProvision(): Promise<AutoProvisionRecord[]> {
    return this.read((db) => this.backend.listAutoProvision(db));
  }
  async deleteAutoProvision(apKey: string): Promise<boolean> {
    return this.write((db) => this.backend.deleteAutoProvision(db, apKey));
  }
  async markAutoProvisionUsed(apKey: string, when: Date): Promise<void> {
    return this.write((db) => this.backend.markAutoProvisionUsed(db, apKey, when));
  }

  async createApiToken(token: NewApiToken): Promise<ApiToken> {
    return this.write((db) => this.backend.createApiToken(db, token));
  }
  async listApiTokens(ownerId: number): Promise<ApiToken[]> {
    return this.read((db) => this.backend.listApiTokens(db, ownerId));
  }
  async findApiToken(tokenHash: string): Promise<ApiToken | undefined> {
    return this.read((db) => this.backend.findApiToken(db, tokenHash));
  }
  async touchApiToken(tokenHash: string, when: Date): Promise<void> {
    return this.write((db) => this.backend.touchApiToken(db, tokenHash, when));
  }
  async deleteApiToken(ownerId: number, tokenHash: string): Promise<boolean> {
    return this.write((db) => this.backend.deleteApiToken(db, ownerId, tokenHash));
  }

  async setAbrpToken(ref: VehicleRef, token: string): Promise<AbrpLink> {
    return this.write((db) => this.backend.setAbrpToken(db, ref, token));
  }
  async getAbrpLink(ref: VehicleRef): Promise<AbrpLink | undefined> {
    return this.read((db) => this.backend.getAbrpLink(db, ref));
  }
  async listAbrpLinks(): Promise<AbrpLink[]> {
    return this.read((db) => this.backend.listAbrpLinks(db));
  }
  async deleteAbrpLink(ref: VehicleRef): Promise<boolean> {
    return this.write((db) => this.backend.deleteAbrpLink(db, ref));
  }
  async setAbrpStatus(ref: VehicleRef, tokenUpdatedAt: Date, status: AbrpStatus): Promise<boolean> {
    return this.write((db) => this.backend.setAbrpStatus(db, ref, tokenUpdatedAt, status));
  }

  async saveRecording(batch: RecordingBatch): Promise<void> {
    return this.write((db) => this.backend.saveRecording(db, batch));
  }
  async getRecordingVehicle(ref: VehicleRef): Promise<RecordingVehicle | undefined> {
    return this.read((db) => this.backend.getRecordingVehicle(db, ref));
  }
  async setRecordingSettings(ref: VehicleRef, settings: RecordingVehicleSettings): Promise<void> {
    return this.write((db) => this.backend.setRecordingSettings(db, ref, settings));
  }
  async markBackfilled(ref: VehicleRef, at: Date): Promise<void> {
    return this.write((db) => this.backend.markBackfilled(db, ref, at));
  }
  async markBackfilledWithoutHistory(types: readonly string[], at: Date): Promise<void> {
    return this.write((db) => this.backend.markBackfilledWithoutHistory(db, types, at));
  }
  async vehiclesNotBackfilled(limit: number): Promise<VehicleRef[]> {
    return this.read((db) => this.backend.vehiclesNotBackfilled(db, limit));
  }
  async listSamples(ref: VehicleRef, query: SampleQuery): Promise<Sample[]> {
    return this.read((db) => this.backend.listSamples(db, ref, query));
  }
  async sampleBuckets(ref: VehicleRef, from: Date, to: Date, stepS: number): Promise<Sample[]> {
    return this.read((db) => this.backend.sampleBuckets(db, ref, from, to, stepS));
  }
  async listPeriods(ref: VehicleRef, kind: PeriodKind, query: PeriodQuery): Promise<Period[]> {
    return this.read((db) => this.backend.listPeriods(db, ref, kind, query));
  }
  async getPeriod(ref: VehicleRef, kind: PeriodKind, startAt: Date): Promise<Period | undefined> {
    return this.read((db) => this.backend.getPeriod(db, ref, kind, startAt));
  }
  async listPlaces(ownerId: number): Promise<Place[]> {
    return this.read((db) => this.backend.listPlaces(db, ownerId));
  }
  async putPlace(ownerId: number, place: NewPlace, id?: number): Promise<Place | undefined> {
    return this.write((db) => this.backend.putPlace(db, ownerId, place, id));
  }
  async deletePlace(ownerId: number, id: number): Promise<boolean> {
    return this.write((db) => this.backend.deletePlace(db, ownerId, id));
  }
  async purgeRecording(before: Date, limit: number): Promise<number> {
    return this.write((db) => this.backend.purgeRecording(db, before, limit));
  }
  async createSession(session: StoredSession): Promise<void> {
    return this.write((db) => this.backend.createSession(db, session));
  }
  async getSession(idHash: string): Promise<StoredSession | undefined> {
    return this.read((db) => this.backend.getSession(db, idHash));
  }
  async touchSession(idHash: string, expiresAt: Date): Promise<boolean> {
    return this.write((db) => this.backend.touchSession(db, idHash, expiresAt));
  }
  async deleteSession(idHash: string): Promise<boolean> {
    return this.write((db) => this.backend.deleteSession(db, idHash));
  }
  async deleteOwnerSessions(ownerId: number, keepIdHash?: string): Promise<number> {
    return this.write((db) => this.backend.deleteOwnerSessions(db, ownerId, keepIdHash));
  }
  async deleteExpiredSessions(now: Date): Promise<number> {
    return this.write((db) => this.backend.deleteExpiredSessions(db, now));
  }
}
